package dev.pgcdc.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that uses the real test environment: its test, lifecycle and constructor
 * methods may then declare {@code PostgresDatabase} and {@code KafkaCluster} parameters, which
 * receive the shared instances (started on first use). See {@link TestEnvironmentExtension}.
 *
 * <pre>{@code
 * @TestEnvironment
 * class OrdersIT {
 *     @Test
 *     void streamsInserts(PostgresDatabase postgres, KafkaCluster kafka) { ... }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(TestEnvironmentExtension.class)
public @interface TestEnvironment {
}
