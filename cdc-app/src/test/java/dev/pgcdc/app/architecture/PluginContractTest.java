package dev.pgcdc.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * One plugin contract (docs/architecture.md, "Adding a plugin"): cdc-app wires the Kafka sink and
 * the json handler as it wires any plugin a user drops on the class path, through
 * {@code SinkProvider} and {@code ChangeHandlerProvider}, so it never names their classes.
 *
 * <p>What the rule allows, precisely: a class of {@code dev.pgcdc.app..} may depend on a class of
 * {@code dev.pgcdc.kafka..} (the Kafka sink) or {@code dev.pgcdc.json..} (the json handler)
 * only if it is a Guice module of the wiring's module list: it resides in {@code dev.pgcdc.app.wiring}
 * and implements {@code com.google.inject.Module} (nested and anonymous classes count as their own
 * classes). Today no class does, the module list included.
 * Only main classes are checked; tests may make a Kafka sink or json handler directly.
 *
 * <p>The source likewise: no main class of cdc-app names {@code PostgresSource} (so none makes one
 * with {@code new}): the stream's source comes from its {@code ChangeSourceProvider} in
 * {@code SourceModule}, and failover and the snapshot use its {@code SlotSource} capability.
 */
@AnalyzeClasses(packages = "dev.pgcdc.app", importOptions = ImportOption.DoNotIncludeTests.class)
class PluginContractTest {

    @ArchTest
    static final ArchRule noAdapterNamedOutsideTheModuleList = noClasses()
            .that().resideInAPackage("dev.pgcdc.app..")
            .and().areNotAssignableTo(com.google.inject.Module.class)
            .should().dependOnClassesThat().resideInAnyPackage("dev.pgcdc.kafka..", "dev.pgcdc.json..")
            .because("the Kafka sink and the json handler are plugins like any other: cdc-app selects them by name through their providers");

    @ArchTest
    static final ArchRule modulesNamingTheSinkLiveInTheWiring = noClasses()
            .that().resideInAPackage("dev.pgcdc.app..")
            .and().resideOutsideOfPackage("dev.pgcdc.app.wiring")
            .should().dependOnClassesThat().resideInAnyPackage("dev.pgcdc.kafka..", "dev.pgcdc.json..")
            .because("only the wiring's module list may name an adapter");

    @ArchTest
    static final ArchRule theSourceIsMadeByItsProvider = noClasses()
            .that().resideInAPackage("dev.pgcdc.app..")
            .should().dependOnClassesThat().haveFullyQualifiedName("dev.pgcdc.postgres.PostgresSource")
            .because("cdc-app makes the source through its ChangeSourceProvider, on the path every source takes, and asks for"
                    + " its extra capabilities (failover, the snapshot) through SlotSource, never through its class");
}
