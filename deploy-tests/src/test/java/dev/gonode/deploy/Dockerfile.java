package dev.gonode.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * deploy/Dockerfile as a list of instructions: comments and blank lines dropped, continuation lines
 * ({@code \} at the end) joined, each instruction tagged with the stage it belongs to.
 */
final class Dockerfile {

    /** One instruction: its keyword in capitals, its arguments, and the {@code AS} name of its stage. */
    record Instruction(String keyword, String arguments, String stage) {
        @Override
        public String toString() {
            return keyword + " " + arguments;
        }
    }

    private Dockerfile() {
    }

    static List<Instruction> instructions() throws IOException {
        return parse(Files.readAllLines(Repo.file("deploy/Dockerfile")));
    }

    static List<Instruction> parse(List<String> lines) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        String stage = null;
        int unnamed = 0;
        for (String line : lines) {
            String t = line.strip();
            if (t.startsWith("#") || (current.isEmpty() && t.isEmpty())) {
                continue; // a comment, also between continuation lines, as BuildKit reads it
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            current.append(t);
            String text = current.toString().strip();
            current.setLength(0);
            int space = text.indexOf(' ');
            String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
            String arguments = space < 0 ? "" : text.substring(space + 1).strip();
            if (keyword.equals("FROM")) {
                String[] words = arguments.split("\\s+");
                stage = words.length == 3 && words[1].equalsIgnoreCase("AS") ? words[2] : "stage-" + unnamed;
                unnamed++;
            }
            out.add(new Instruction(keyword, arguments, stage));
        }
        return out;
    }

    /** The instructions of the stage named {@code name}. */
    static List<Instruction> stage(List<Instruction> all, String name) {
        List<Instruction> out = all.stream().filter(i -> name.equals(i.stage())).toList();
        if (out.isEmpty()) {
            throw new AssertionError("deploy/Dockerfile has no stage named " + name);
        }
        return out;
    }

    /** The sources and the destination of a COPY without options: {@code COPY a b dest}. */
    record Copy(List<String> sources, String destination) {
        static Copy of(Instruction copy) {
            if (!copy.keyword().equals("COPY")) {
                throw new IllegalArgumentException("not a COPY: " + copy);
            }
            List<String> words = List.of(copy.arguments().split("\\s+"));
            if (words.size() < 2 || words.get(0).startsWith("--") || words.get(0).startsWith("[")) {
                throw new AssertionError("only the plain form COPY <src>... <dest> is understood here: " + copy);
            }
            return new Copy(words.subList(0, words.size() - 1), words.get(words.size() - 1));
        }
    }

    /** Whether {@code relative} (a path in the build context) matches a pattern of the ignore file. */
    static boolean ignored(Path relative, List<String> patterns) {
        for (Path p = relative; p != null; p = p.getParent()) {
            for (String pattern : patterns) {
                String glob = pattern.endsWith("/") ? pattern.substring(0, pattern.length() - 1) : pattern;
                var fs = p.getFileSystem();
                // Docker's ** also matches no directory at all: **/target is target at the root too.
                if (fs.getPathMatcher("glob:" + glob).matches(p)
                        || (glob.startsWith("**/") && fs.getPathMatcher("glob:" + glob.substring(3)).matches(p))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The patterns of deploy/Dockerfile.dockerignore (BuildKit reads it for {@code -f deploy/Dockerfile}). */
    static List<String> ignorePatterns() throws IOException {
        return Files.readAllLines(Repo.file("deploy/Dockerfile.dockerignore")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }
}
