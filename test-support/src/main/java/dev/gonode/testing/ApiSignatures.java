package dev.gonode.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Finds the places where a module's API names an implementation type: a public or protected member
 * (field, constructor, method; its parameter, return, exception and generic types) or the
 * supertypes of a public class outside the {@code internal} packages, that mention a type from an
 * {@code internal} package. A user of the API could not name such a type without reaching into the
 * internals, and the module system would not let them once the package is not exported.
 *
 * <p>Implementation notes. The classes are the {@code .class} files of the directory (or jar is
 * not supported: tests run against {@code target/classes}) that holds {@code anchor}, loaded
 * without initialising them. Nested public types count as API when their enclosing types are
 * public. Types are walked structurally (type arguments, bounds, array components).
 */
public final class ApiSignatures {

    private ApiSignatures() {
    }

    /** Every "api element: internal type" pair of the classes beside {@code anchor}, sorted. */
    public static List<String> internalTypesInApi(Class<?> anchor) {
        Path root;
        try {
            root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException(root + " is not a class directory; run the test from the build");
        }
        TreeSet<String> found = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                name = name.substring(0, name.length() - ".class".length());
                if (name.endsWith("module-info") || name.endsWith("package-info") || isInternal(name)) {
                    continue;
                }
                Class<?> c = Class.forName(name, false, anchor.getClassLoader());
                if (isApi(c)) {
                    check(c, found);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return new ArrayList<>(found);
    }

    private static boolean isInternal(String className) {
        return className.contains(".internal.");
    }

    private static boolean isApi(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass() || k.isSynthetic()) {
                return false;
            }
        }
        return true;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(Class<?> c, TreeSet<String> found) {
        String where = c.getName();
        note(where + " extends", c.getGenericSuperclass(), found);
        for (Type t : c.getGenericInterfaces()) {
            note(where + " implements", t, found);
        }
        for (Field f : c.getDeclaredFields()) {
            if (visible(f.getModifiers()) && !f.isSynthetic()) {
                note(where + "." + f.getName(), f.getGenericType(), found);
            }
        }
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (visible(k.getModifiers()) && !k.isSynthetic()) {
                checkExecutable(where + ".<init>", k, found);
            }
        }
        for (Method m : c.getDeclaredMethods()) {
            if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                note(where + "." + m.getName() + " returns", m.getGenericReturnType(), found);
                checkExecutable(where + "." + m.getName(), m, found);
            }
        }
    }

    private static void checkExecutable(String where, Executable e, TreeSet<String> found) {
        for (Type t : e.getGenericParameterTypes()) {
            note(where + " takes", t, found);
        }
        for (Type t : e.getGenericExceptionTypes()) {
            note(where + " throws", t, found);
        }
    }

    private static void note(String where, Type type, TreeSet<String> found) {
        if (type == null) {
            return;
        }
        switch (type) {
            case Class<?> c -> {
                Class<?> k = c;
                while (k.isArray()) {
                    k = k.getComponentType();
                }
                if (isInternal(k.getName())) {
                    found.add(where + ": " + k.getName());
                }
            }
            case ParameterizedType p -> {
                note(where, p.getRawType(), found);
                for (Type a : p.getActualTypeArguments()) {
                    note(where, a, found);
                }
            }
            case GenericArrayType a -> note(where, a.getGenericComponentType(), found);
            case WildcardType w -> {
                for (Type b : w.getUpperBounds()) {
                    note(where, b, found);
                }
                for (Type b : w.getLowerBounds()) {
                    note(where, b, found);
                }
            }
            case TypeVariable<?> v -> { } // its bounds are checked where it is declared
            default -> throw new IllegalArgumentException("unexpected type " + type);
        }
    }
}
