package dev.pgcdc.api.value;

/**
 * Marks a column whose value PostgreSQL did not send because it is a TOASTed value the change did
 * not modify (pgoutput's {@code 'u'} tuple kind). It is never {@code null}: {@code null} means the
 * column is SQL NULL. A consumer that applies updates should keep its stored value for such a column.
 */
public enum UnchangedToast {
    /** The only instance. */
    INSTANCE;

    @Override
    public String toString() {
        return "<unchanged-toast>";
    }
}
