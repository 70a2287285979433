package dev.pgcdc.testkit;

import java.util.List;
import java.util.Objects;

/**
 * Whether two decoded column values are the same: of the same class and equal, arrays (such as
 * {@code bytea}'s {@code byte[]}) by content, also inside lists (such as {@code bytea[]}'s), which
 * {@code equals} compares by identity. For tests that hold the values of one decoding path to another's.
 */
public final class SameValues {

    private SameValues() {
    }

    public static boolean same(Object a, Object b) {
        if (a instanceof List<?> left && b instanceof List<?> right) {
            if (left.size() != right.size()) {
                return false;
            }
            for (int i = 0; i < left.size(); i++) {
                if (!same(left.get(i), right.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a == null ? b == null : b != null && a.getClass() == b.getClass() && Objects.deepEquals(a, b);
    }
}
