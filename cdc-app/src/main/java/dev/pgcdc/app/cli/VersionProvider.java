package dev.pgcdc.app.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * {@code pgcdc --version}: the project version and the commit the build wrote into
 * {@code version.properties} and {@code build.properties}, and the Java running it.
 */
public final class VersionProvider implements CommandLine.IVersionProvider {

    private static final String UNKNOWN = "unknown";

    /** The pgcdc version, {@code unknown} when run from classes the build did not filter. */
    public static String version() {
        return property("/dev/pgcdc/app/version.properties", "version");
    }

    /**
     * The abbreviated commit the build ran on; {@code unknown} when it was built without git or
     * outside a repository (from a tarball of the sources), or run from classes the build did not make.
     */
    public static String commit() {
        return property("/dev/pgcdc/app/build.properties", "commit");
    }

    private static String property(String resource, String key) {
        Properties properties = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream(resource)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String value = properties.getProperty(key, UNKNOWN).strip();
        // an unfiltered placeholder or an empty value says as little as a missing one
        return value.isEmpty() || value.startsWith("${") ? UNKNOWN : value;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"pgcdc " + version() + " (commit " + commit() + ")",
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
}
