package dev.gonode.deploy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Scrapes of a node's {@code /metrics}, one after another, turned into promtool's
 * {@code input_series}: scrape {@code i} is the sample at {@code i} scrape intervals, with the
 * target labels Prometheus would add ({@code job}, {@code instance}, and {@code namespace} and
 * {@code pod} as on Kubernetes) and Prometheus' own {@code up} series.
 *
 * <p>Implementation notes. The Prometheus text format is read line by line: comments skipped, then
 * {@code name}, an optional {@code {labels}} block (quoted values may hold {@code \"}, {@code \\} and
 * {@code \n} escapes, which PromQL's string literals read the same way, so the block is kept as
 * written) and the value; a timestamp, if any, is ignored. A series missing from a scrape is
 * promtool's {@code _} (no sample) there.
 */
final class RecordedSeries {

    private final Map<String, String> targetLabels;
    private final List<Map<String, Double>> scrapes = new ArrayList<>();

    /** {@code targetLabels}: what Prometheus adds to every series of the target, e.g. job, instance, namespace, pod. */
    RecordedSeries(Map<String, String> targetLabels) {
        this.targetLabels = new LinkedHashMap<>(targetLabels);
    }

    /** Records one scrape (the body of {@code GET /metrics}). */
    void add(String scrape) {
        Map<String, Double> samples = new LinkedHashMap<>();
        samples.put(selector("up", ""), 1.0);
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Sample s = parse(line);
            if (samples.put(selector(s.name(), s.labels()), s.value()) != null) {
                throw new AssertionError("a scrape has the series " + s.name() + "{" + s.labels() + "} twice");
            }
        }
        scrapes.add(samples);
    }

    int size() {
        return scrapes.size();
    }

    /** One sample line: the metric name, the text between the braces (or ""), the value. */
    record Sample(String name, String labels, double value) {
    }

    static Sample parse(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        String labels = "";
        if (i < line.length() && line.charAt(i) == '{') {
            int start = ++i;
            boolean quoted = false;
            for (; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted && c == '\\') {
                    i++; // the escaped character
                } else if (c == '"') {
                    quoted = !quoted;
                } else if (c == '}' && !quoted) {
                    break;
                }
            }
            if (i >= line.length()) {
                throw new AssertionError("unterminated label set in the scrape line: " + line);
            }
            labels = line.substring(start, i).strip();
            if (labels.endsWith(",")) {
                labels = labels.substring(0, labels.length() - 1);
            }
            i++;
        }
        String[] rest = line.substring(i).strip().split("\\s+");
        return new Sample(name, labels, parseValue(rest[0], line));
    }

    private static double parseValue(String text, String line) {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new AssertionError("not a sample value: " + text + " in the scrape line: " + line);
                }
            }
        };
    }

    private String selector(String name, String labels) {
        StringBuilder out = new StringBuilder(name).append('{').append(labels);
        for (var e : targetLabels.entrySet()) {
            if (labels.matches("(^|.*,)\\s*" + e.getKey() + "\\s*=.*")) {
                throw new AssertionError("the scraped series " + name + "{" + labels + "} has the target label " + e.getKey());
            }
            if (out.charAt(out.length() - 1) != '{') {
                out.append(", ");
            }
            out.append(e.getKey()).append("=\"").append(e.getValue()).append('"');
        }
        return out.append('}').toString();
    }

    /** The values of the series {@code name} (any labels) in the latest scrape. */
    List<Double> latest(String name) {
        List<Double> out = new ArrayList<>();
        scrapes.get(scrapes.size() - 1).forEach((series, value) -> {
            if (series.startsWith(name + "{")) {
                out.add(value);
            }
        });
        return out;
    }

    /**
     * promtool's input_series: every series seen, a value per scrape, then its last value held for
     * {@code hold} more intervals (the node staying as it was last scraped).
     */
    ArrayNode inputSeries(int hold) {
        ArrayNode out = Repo.JSON.createArrayNode();
        for (String series : new TreeSet<>(scrapes.stream().flatMap(s -> s.keySet().stream()).toList())) {
            StringBuilder values = new StringBuilder();
            String last = "_";
            for (Map<String, Double> scrape : scrapes) {
                Double v = scrape.get(series);
                last = v == null ? "_" : format(v);
                values.append(last).append(' ');
            }
            values.append(last).append('x').append(hold);
            ObjectNode s = out.addObject();
            s.put("series", series);
            s.put("values", values.toString());
        }
        return out;
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
