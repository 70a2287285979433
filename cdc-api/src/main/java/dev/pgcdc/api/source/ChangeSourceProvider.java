package dev.pgcdc.api.source;

import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.plugin.PluginContext;
import java.util.List;

/**
 * Makes {@link ChangeSource}s of one kind, found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.pgcdc.api.source.ChangeSourceProvider}) and selected by
 * {@link #name()}. Needs a public no-argument constructor. Stateless; any thread.
 *
 * <p>The contract of every provider: a name, the sections it declares, a {@link #validate} that
 * reports every problem without connecting, and a {@link #create} that receives a {@link PluginContext}
 * whose section is the {@code pgcdc} root (a source reads several sections of it: its connection,
 * publication, slot).
 */
public interface ChangeSourceProvider {

    /** The name of this kind of source, e.g. {@code postgres}. */
    String name();

    /** The sections the source reads, declared once (their paths are full: {@code pgcdc.postgres}). */
    List<Section> settings();

    /** Adds every problem of the source's sections of {@code context}'s root to {@code problems}; connects nowhere. */
    void validate(PluginContext context, Problems problems);

    /**
     * A source configured from {@code context}'s root; it connects when started, not here.
     *
     * @throws dev.pgcdc.api.ConfigurationException naming every bad key
     */
    ChangeSource create(PluginContext context);
}
