/** HOCON loading, validation (every problem at once, unknown keys with a did-you-mean), secret masking and the service's own settings. */
package dev.pgcdc.app.config;
