package dev.pgcdc.api.coordination;

import java.util.Objects;
import java.util.Optional;

/**
 * A chunk just claimed, and who held it before: the instance whose claim was taken over, or the last
 * one that released it; empty when nobody held it. Exactly-once snapshots fence that instance's
 * writer before reading the chunk again.
 *
 * @param chunk         the chunk
 * @param previousOwner the instance that held it before this claim, if any
 */
public record ChunkClaim(Chunk chunk, Optional<String> previousOwner) {

    public ChunkClaim {
        Objects.requireNonNull(chunk, "chunk");
        Objects.requireNonNull(previousOwner, "previousOwner");
    }
}
