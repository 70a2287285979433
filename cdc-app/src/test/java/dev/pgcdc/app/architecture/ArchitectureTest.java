package dev.pgcdc.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The module boundaries of docs/architecture.md, checked on the classes of every module on the
 * class path (cdc-api, the adapters, the json handler, cdc-metrics, cdc-app).
 */
@AnalyzeClasses(packages = "dev.pgcdc", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule guiceOnlyInModulesAndTheBootstrap = noClasses()
            .that().haveSimpleNameNotEndingWith("Module")
            .and().doNotHaveSimpleName("ServiceBootstrap")
            .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..", "jakarta.inject..", "javax.inject..")
            .because("Guice appears only in *Module classes and the bootstrap; everything else works with plain new");

    @ArchTest
    static final ArchRule guiceOnlyInTheApp = noClasses()
            .that().resideOutsideOfPackage("dev.pgcdc.app..")
            .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..", "jakarta.inject..")
            .because("adapters must be usable without Guice");

    @ArchTest
    static final ArchRule apiIsFreeOfLibraries = noClasses()
            .that().resideInAPackage("dev.pgcdc.api..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "org.postgresql..", "org.apache.kafka..", "com.google.inject..", "com.typesafe.config..",
                    "io.micrometer..", "com.fasterxml.jackson..", "org.slf4j..")
            .because("cdc-api depends on the JDK only");

    @ArchTest
    static final ArchRule typesafeConfigOnlyInTheApp = noClasses()
            .that().resideOutsideOfPackage("dev.pgcdc.app..")
            .should().dependOnClassesThat().resideInAPackage("com.typesafe.config..")
            .because("plugins receive their section as a PluginConfig of plain Java values");

    @ArchTest
    static final ArchRule adaptersNeverImportEachOther = slices()
            .matching("dev.pgcdc.(postgres|kafka|json|metrics)..")
            .namingSlices("adapter $1")
            .should().notDependOnEachOther()
            .because("adapters depend on cdc-api only; only cdc-app sees several");

    @ArchTest
    static final ArchRule jsonHandlerIsFreeOfKafka = noClasses()
            .that().resideInAPackage("dev.pgcdc.json..")
            .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..")
            .because("cdc-json-handler serves any sink: an embedder with its own sink uses it without kafka-clients");

    @ArchTest
    static final ArchRule testKitOnlyInTheQuickstart = noClasses()
            .that().resideOutsideOfPackages("dev.pgcdc.app.quickstart..", "dev.pgcdc.testkit..")
            .should().dependOnClassesThat().resideInAPackage("dev.pgcdc.testkit..")
            .because("the test kit is a provided-scope dependency, absent from the distribution");
}
