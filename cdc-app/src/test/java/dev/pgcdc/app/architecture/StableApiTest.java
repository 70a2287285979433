package dev.pgcdc.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The split of cdc-api (docs/architecture.md, "Stable API and runtime"): the contracts, every package of
 * {@code dev.pgcdc.api..} but {@code dev.pgcdc.api.runtime}, are the stable API; the runtime
 * ({@code Pipeline}, {@code OrderedPositionTracker}) may change in any release. So no contract may name a
 * runtime class: a plugin compiled against the contracts never needs the runtime, and the runtime can
 * change without changing a contract.
 */
@AnalyzeClasses(packages = "dev.pgcdc.api", importOptions = ImportOption.DoNotIncludeTests.class)
class StableApiTest {

    @ArchTest
    static final ArchRule contractsNeverReferenceTheRuntime = noClasses()
            .that().resideInAPackage("dev.pgcdc.api..")
            .and().resideOutsideOfPackage("dev.pgcdc.api.runtime..")
            .should().dependOnClassesThat().resideInAPackage("dev.pgcdc.api.runtime..")
            .because("the stable API (the SPI packages of cdc-api) must not depend on the runtime, which may change in any release");
}
