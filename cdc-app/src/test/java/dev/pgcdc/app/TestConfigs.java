package dev.pgcdc.app;

/** Configuration texts shared by the unit tests. */
public final class TestConfigs {

    /** The smallest valid file: the keys without defaults (nothing is connected to in unit tests). */
    public static final String MINIMAL = """
            pgcdc {
              postgres { host = db1, database = shop, user = pgcdc, password = "s3cret-pw" }
              publication { name = shop_pub, tables = [ { name = customers } ] }
              slot.name = shop_slot
              kafka {
                bootstrap-servers = "localhost:9092"
                table-topic-mapping { "public.customers" = "shop.customers" }
              }
            }
            """;

    private TestConfigs() {
    }
}
