package dev.pgcdc.postgres.types;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ColumnFacts;
import dev.pgcdc.api.event.ColumnFacts.Nullability;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catalog facts a resolved type carries: an enum's labels, a domain's base and modifier and NOT NULL. */
class TypeFactsTest {

    private static final int NUMERIC_10_2 = (10 << 16 | 2) + 4;
    private static final List<String> MOOD = List.of("sad", "ok", "happy");

    private final TypeRegistry registry = new TypeRegistry(oid -> switch (oid) {
        case 70001 -> new CatalogType(oid, "mood", 'e', 'E', 0, 0, ',', -1, false, MOOD);
        case 70002 -> new CatalogType(oid, "_mood", 'b', 'A', 70001, 0, ',');
        case 70003 -> new CatalogType(oid, "price", 'd', 'N', 0, 1700, ',', NUMERIC_10_2, false, List.of());
        case 70004 -> new CatalogType(oid, "positive_price", 'd', 'N', 0, 70003, ',', -1, true, List.of());
        case 70005 -> new CatalogType(oid, "good_mood", 'd', 'E', 0, 70001, ',', -1, false, List.of());
        case 70006 -> new CatalogType(oid, "int4s", 'd', 'A', 0, 1007, ',', -1, false, List.of());
        case 70007 -> new CatalogType(oid, "_price", 'b', 'A', 70003, 0, ',');
        default -> null;
    });

    @Test
    void anEnumAndAnArrayOfItCarryTheLabelsInTheirSortOrder() {
        assertThat(registry.resolve(70001).facts()).isEqualTo(new ColumnFacts(Nullability.UNKNOWN, null, -1, MOOD));
        assertThat(registry.resolve(70002).facts().enumLabels()).isEqualTo(MOOD);
    }

    @Test
    void aDomainCarriesItsRootBaseTypeItsModifierAndItsNotNull() {
        assertThat(registry.resolve(70003).facts()).isEqualTo(new ColumnFacts(Nullability.UNKNOWN, "numeric", NUMERIC_10_2, List.of()));
        // a domain over a domain: the root base, the inner domain's modifier, its own NOT NULL
        assertThat(registry.resolve(70004).facts()).isEqualTo(new ColumnFacts(Nullability.NOT_NULL, "numeric", NUMERIC_10_2, List.of()));
        assertThat(registry.resolve(70005).facts()).isEqualTo(new ColumnFacts(Nullability.UNKNOWN, "mood", -1, MOOD));
        assertThat(registry.resolve(70006).facts().baseTypeName()).isEqualTo("_int4");
        assertThat(registry.resolve(70007).facts()).isEqualTo(new ColumnFacts(Nullability.UNKNOWN, "_numeric", NUMERIC_10_2, List.of()));
    }

    @Test
    void aColumnsNotNullJoinsItsDomainsAndUnknownStaysUnknown() {
        assertThat(registry.resolve(23).factsOfColumn(true).nullability()).isEqualTo(Nullability.NOT_NULL);
        assertThat(registry.resolve(23).factsOfColumn(false).nullability()).isEqualTo(Nullability.NULLABLE);
        assertThat(registry.resolve(23).factsOfColumn(null)).isEqualTo(ColumnFacts.UNKNOWN);
        assertThat(registry.resolve(70004).factsOfColumn(false).nullability()).isEqualTo(Nullability.NOT_NULL);
        assertThat(registry.resolve(70003).factsOfColumn(false).nullability()).isEqualTo(Nullability.NULLABLE);
    }
}
