package dev.pgcdc.app.plugin;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.sink.SinkProvider;
import dev.pgcdc.api.source.ChangeSourceProvider;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The source, handler and sink providers on the class path, found with {@link ServiceLoader} and keyed by
 * their {@code name()}. Two providers of one kind with the same name, or a provider that cannot be
 * loaded, are {@link #problems() problems} reported with the configuration's: which one would be
 * used must never depend on class-path order. Immutable once built.
 */
public final class PluginCatalog {

    private final Map<String, ChangeSourceProvider> sources;
    private final Map<String, ChangeHandlerProvider> handlers;
    private final Map<String, SinkProvider> sinks;
    private final List<String> problems;

    private PluginCatalog(Map<String, ChangeSourceProvider> sources, Map<String, ChangeHandlerProvider> handlers, Map<String, SinkProvider> sinks,
            List<String> problems) {
        this.sources = Collections.unmodifiableMap(sources);
        this.handlers = Collections.unmodifiableMap(handlers);
        this.sinks = Collections.unmodifiableMap(sinks);
        this.problems = List.copyOf(problems);
    }

    /** Every provider {@code classLoader} finds. */
    public static PluginCatalog discover(ClassLoader classLoader) {
        List<String> problems = new ArrayList<>();
        List<ChangeSourceProvider> sources = load(ChangeSourceProvider.class, classLoader, problems);
        List<ChangeHandlerProvider> handlers = load(ChangeHandlerProvider.class, classLoader, problems);
        List<SinkProvider> sinks = load(SinkProvider.class, classLoader, problems);
        return of(sources, handlers, sinks, problems);
    }

    /** A catalog of the given handlers and sinks, with the sources found on this class's class path (tests, embedding). */
    public static PluginCatalog of(List<ChangeHandlerProvider> handlers, List<SinkProvider> sinks) {
        List<String> problems = new ArrayList<>();
        List<ChangeSourceProvider> sources = load(ChangeSourceProvider.class, PluginCatalog.class.getClassLoader(), problems);
        return of(sources, handlers, sinks, problems);
    }

    private static PluginCatalog of(List<ChangeSourceProvider> sources, List<ChangeHandlerProvider> handlers, List<SinkProvider> sinks,
            List<String> loadProblems) {
        List<String> problems = new ArrayList<>(loadProblems);
        Map<String, ChangeSourceProvider> sourcesByName = byName(sources, ChangeSourceProvider::name, "source", problems);
        Map<String, ChangeHandlerProvider> handlersByName = byName(handlers, ChangeHandlerProvider::name, "handler", problems);
        Map<String, SinkProvider> sinksByName = byName(sinks, SinkProvider::name, "sink", problems);
        if (sourcesByName.size() > 1) {
            problems.add(sourceProblem(sourcesByName));
        }
        return new PluginCatalog(sourcesByName, handlersByName, sinksByName, problems);
    }

    /** Source providers by name, sorted. */
    public Map<String, ChangeSourceProvider> sources() {
        return sources;
    }

    /** Handler providers by name, sorted. */
    public Map<String, ChangeHandlerProvider> handlers() {
        return handlers;
    }

    /** Sink providers by name, sorted. */
    public Map<String, SinkProvider> sinks() {
        return sinks;
    }

    /** Duplicate names and providers that failed to load, one line each. */
    public List<String> problems() {
        return problems;
    }

    /**
     * The provider named {@code name}.
     *
     * @param key  the configuration key that named it, for the message ({@code pgcdc.handler.name})
     * @param kind what a provider makes, for the message ({@code handler})
     * @throws ConfigurationException listing the names found when none has that name
     */
    public static <P> P select(Map<String, P> providers, String name, String key, String kind) {
        P provider = providers.get(name);
        if (provider == null) {
            throw new ConfigurationException(unknownName(providers, name, key, kind));
        }
        return provider;
    }

    /**
     * The source provider: the one on the class path (the configuration has no key that names a
     * source yet, so a second one is a {@link #problems() problem} of the catalog).
     *
     * @throws ConfigurationException when there is none, or more than one
     */
    public static ChangeSourceProvider selectSource(Map<String, ChangeSourceProvider> providers) {
        if (providers.size() != 1) {
            throw new ConfigurationException(sourceProblem(providers));
        }
        return providers.values().iterator().next();
    }

    private static String sourceProblem(Map<String, ChangeSourceProvider> providers) {
        if (providers.isEmpty()) {
            return "no source provider (META-INF/services/" + ChangeSourceProvider.class.getName()
                    + ") is on the class path; add the jar that has one (cdc-postgres-source)";
        }
        List<String> found = new ArrayList<>();
        providers.forEach((providerName, provider) -> found.add(providerName + " (" + provider.getClass().getName() + ")"));
        return found.size() + " source providers are on the class path: " + String.join(", ", found)
                + "; pgcdc streams from one source, remove all but one";
    }

    /** The problem text for a name no provider has. */
    public static String unknownName(Map<String, ?> providers, String name, String key, String kind) {
        if (providers.isEmpty()) {
            return key + " = \"" + name + "\": no " + kind + " provider is on the class path at all; add the jar that has one";
        }
        List<String> found = new ArrayList<>();
        providers.forEach((providerName, provider) -> found.add(providerName + " (" + provider.getClass().getName() + ")"));
        return key + " = \"" + name + "\": no " + kind + " of that name is on the class path; found: " + String.join(", ", found);
    }

    private static <P> List<P> load(Class<P> type, ClassLoader classLoader, List<String> problems) {
        List<P> providers = new ArrayList<>();
        var iterator = ServiceLoader.load(type, classLoader).iterator();
        // a broken entry makes the iterator throw; it moves on to the next one, but bound it anyway
        for (int errors = 0; errors < 100; ) {
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                providers.add(iterator.next());
            } catch (ServiceConfigurationError e) {
                problems.add("a " + type.getSimpleName() + " listed in META-INF/services cannot be loaded: " + e.getMessage());
                errors++;
            }
        }
        return providers;
    }

    private static <P> Map<String, P> byName(List<P> providers, Function<P, String> nameOf, String kind, List<String> problems) {
        Map<String, List<P>> grouped = new TreeMap<>();
        for (P provider : providers) {
            grouped.computeIfAbsent(nameOf.apply(provider), n -> new ArrayList<>()).add(provider);
        }
        Map<String, P> byName = new LinkedHashMap<>();
        grouped.forEach((name, sameName) -> {
            if (sameName.size() > 1) {
                List<String> where = new ArrayList<>();
                for (P provider : sameName) {
                    where.add(provider.getClass().getName() + " from " + location(provider.getClass()));
                }
                problems.add(sameName.size() + " " + kind + " providers are named \"" + name + "\": " + String.join(" and ", where)
                        + "; remove all but one from the class path");
            }
            byName.put(name, sameName.get(0));
        });
        return byName;
    }

    private static String location(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL url = source == null ? null : source.getLocation();
        return url == null ? "an unknown location" : url.toString();
    }
}
