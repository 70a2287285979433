/** The command line (picocli): {@code run}, {@code validate}, {@code quickstart}, {@code --help}, {@code --version}, exit codes. */
package dev.pgcdc.app.cli;
