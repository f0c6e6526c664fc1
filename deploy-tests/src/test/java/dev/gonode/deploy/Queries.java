package dev.gonode.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The PromQL of the alert rules and of the Grafana dashboard, and the metric names it uses. */
final class Queries {

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "offset", "bool", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan", "atan2");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private Queries() {
    }

    /** alert name to expression, from deploy/prometheus/alerts.yml. */
    static Map<String, String> alerts() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode group : Repo.yaml("deploy/prometheus/alerts.yml").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                out.put(rule.path("alert").asText(), rule.path("expr").asText());
            }
        }
        return out;
    }

    static JsonNode dashboard() throws IOException {
        return Repo.JSON.readTree(Repo.file("deploy/grafana/dashboards/gonode.json").toFile());
    }

    /** "panel title / refId" to expression, for every panel target and annotation of the dashboard. */
    static Map<String, String> dashboardExpressions() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode dash = dashboard();
        List<JsonNode> panels = new ArrayList<>();
        dash.path("panels").forEach(p -> {
            panels.add(p);
            p.path("panels").forEach(panels::add);
        });
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                out.put("panel " + p.path("id").asInt() + " \"" + p.path("title").asText() + "\" " + t.path("refId").asText(),
                        t.path("expr").asText());
            }
        }
        for (JsonNode a : dash.path("annotations").path("list")) {
            if (a.has("expr")) {
                out.put("annotation \"" + a.path("name").asText() + "\"", a.path("expr").asText());
            }
        }
        return out;
    }

    /** The metrics the dashboard's template variables read (label_values(metric, label)). */
    static Set<String> variableMetrics() throws IOException {
        Set<String> out = new TreeSet<>();
        Pattern lv = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");
        for (JsonNode v : dashboard().path("templating").path("list")) {
            Matcher m = lv.matcher(v.path("query").path("query").asText(v.path("query").asText()));
            if (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** Grafana's variables replaced by values PromQL accepts, for promtool. */
    static String concrete(String expr) {
        return expr.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$__range", "1h")
                .replaceAll("\\$\\{?[a-zA-Z_]+\\}?", ".*");
    }

    /** The metric names an expression selects. */
    static Set<String> metricNames(String expr) {
        String e = concrete(expr)
                .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*\\}", " ")
                .replaceAll("\\[[^\\]]*\\]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> out = new TreeSet<>();
        Matcher m = IDENT.matcher(e);
        while (m.find()) {
            String name = m.group();
            int before = m.start() - 1;
            if (before >= 0 && (Character.isDigit(e.charAt(before)) || e.charAt(before) == '.')) {
                continue; // a number's exponent or a duration's unit
            }
            int after = m.end();
            while (after < e.length() && Character.isWhitespace(e.charAt(after))) {
                after++;
            }
            if (after < e.length() && e.charAt(after) == '(') {
                continue; // a function or an aggregation
            }
            if (KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            out.add(name);
        }
        return out;
    }
}
