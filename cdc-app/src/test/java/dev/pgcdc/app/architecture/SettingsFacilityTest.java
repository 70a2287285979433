package dev.pgcdc.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.pgcdc.api.plugin.PluginConfig;
import java.util.Set;

/**
 * One settings facility: configuration values are read only through declared settings
 * ({@code dev.pgcdc.api.config}), whose HOCON front end is {@code dev.pgcdc.app.config}. No other
 * class of any module reads Typesafe Config values or the raw values of a {@link PluginConfig}.
 */
@AnalyzeClasses(packages = "dev.pgcdc", importOptions = ImportOption.DoNotIncludeTests.class)
class SettingsFacilityTest {

    private static final Set<String> RAW_GETTERS = Set.of("asMap", "keys");

    private static final DescribedPredicate<JavaMethodCall> READS_CONFIGURATION =
            new DescribedPredicate<>("a getter of com.typesafe.config.Config or a raw getter of PluginConfig") {
                @Override
                public boolean test(JavaMethodCall call) {
                    String owner = call.getTargetOwner().getName();
                    String name = call.getName();
                    return owner.equals("com.typesafe.config.Config") && (name.startsWith("get") || name.equals("hasPath"))
                            || owner.equals(PluginConfig.class.getName()) && RAW_GETTERS.contains(name);
                }
            };

    @ArchTest
    static final ArchRule onlyTheSettingsFacilityReadsConfiguration = noClasses()
            .that().resideOutsideOfPackages("dev.pgcdc.api.config..", "dev.pgcdc.app.config..")
            .should().callMethodWhere(READS_CONFIGURATION)
            .because("each setting is declared once (dev.pgcdc.api.config.Setting) and read only through its declaration");
}
