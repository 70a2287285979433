package dev.pgcdc.testkit;

import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.kafka.TestKafka;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import dev.pgcdc.testkit.postgres.TestPostgres;
import java.lang.reflect.Executable;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that resolves parameters of type {@link PostgresDatabase} to
 * {@link TestPostgres#shared()} and {@link KafkaCluster} to {@link TestKafka#shared()}. Only what a
 * test class asks for is started; when it asks for both, both start before its first test, the
 * broker (the slower) in the background while PostgreSQL starts. Use it through {@link TestEnvironment} or
 * {@code @ExtendWith(TestEnvironmentExtension.class)}.
 */
public final class TestEnvironmentExtension implements ParameterResolver, BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        if (declaresParameter(testClass, PostgresDatabase.class) && declaresParameter(testClass, KafkaCluster.class)) {
            Thread warmUp = new Thread(TestEnvironmentExtension::startKafkaQuietly, "pgcdc-testkit-kafka-warm-up");
            warmUp.setDaemon(true);
            warmUp.start();
            TestPostgres.shared();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == PostgresDatabase.class || type == KafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == PostgresDatabase.class ? TestPostgres.shared() : TestKafka.shared();
    }

    private static void startKafkaQuietly() {
        try {
            TestKafka.shared();
        } catch (RuntimeException e) {
            // kept by TestKafka and thrown to the first test that asks for the broker
        }
    }

    private static boolean declaresParameter(Class<?> testClass, Class<?> type) {
        for (Class<?> current = testClass; current != null && current != Object.class; current = current.getSuperclass()) {
            boolean found = Stream.concat(Arrays.stream(current.getDeclaredConstructors()), Arrays.stream(current.getDeclaredMethods()))
                    .map(Executable::getParameterTypes)
                    .flatMap(Arrays::stream)
                    .anyMatch(type::equals);
            if (found) {
                return true;
            }
        }
        return false;
    }
}
