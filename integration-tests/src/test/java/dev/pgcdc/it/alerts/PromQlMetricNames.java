package dev.pgcdc.it.alerts;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression selects: every identifier that is not a function (followed by
 * {@code (}), a keyword or aggregation modifier, a label name or value inside {@code {...}}, a label list
 * after {@code by}, {@code without}, {@code on}, {@code ignoring}, {@code group_left} or {@code group_right},
 * a range or offset duration, a number or a string. Enough for alerting rules, not a full PromQL parser:
 * it does not know the {@code {__name__="..."}} form. Stateless.
 */
final class PromQlMetricNames {

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern LABEL_LIST = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern OFFSET = Pattern.compile("\\boffset\\s+-?[0-9a-z]+");
    private static final Pattern TOKEN = Pattern.compile("(\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)|([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "by", "without", "on", "ignoring", "group_left",
            "group_right", "offset", "inf", "nan");

    private PromQlMetricNames() {
    }

    /** The metric names {@code expr} selects, sorted. */
    static Set<String> of(String expr) {
        String text = STRING.matcher(expr).replaceAll(" ");
        text = LABEL_MATCHERS.matcher(text).replaceAll(" ");
        text = RANGE.matcher(text).replaceAll(" ");
        text = LABEL_LIST.matcher(text).replaceAll(" ");
        text = OFFSET.matcher(text).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher token = TOKEN.matcher(text);
        while (token.find()) {
            String identifier = token.group(2);
            boolean function = token.group(3) != null;
            if (identifier != null && !function && !KEYWORDS.contains(identifier.toLowerCase(java.util.Locale.ROOT))) {
                names.add(identifier);
            }
        }
        return names;
    }
}
