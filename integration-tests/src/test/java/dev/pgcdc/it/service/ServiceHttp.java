package dev.pgcdc.it.service;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code GET http://127.0.0.1:<port><path>} on the service's HTTP endpoints (docs/operations.md, "HTTP
 * endpoints"), as an operator's {@code curl} would. Stateless; thread-safe.
 */
public final class ServiceHttp {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ServiceHttp() {
    }

    /** The body of a {@code 200} answer; fails naming the status and body otherwise. */
    public static String get(int port, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " on port " + port + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while reading " + path, e);
        }
    }

    /** {@code GET /status}, parsed. */
    public static JsonNode status(int port) {
        return ChangeRecord.parse(get(port, "/status"));
    }
}
