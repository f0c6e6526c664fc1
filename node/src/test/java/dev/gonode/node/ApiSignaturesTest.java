package dev.gonode.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gonode.testing.ApiSignatures;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No public signature outside the {@code internal} packages names an internal type: a user of the
 * API could not name it, and the module does not export it. The compiler's exports lint checks the
 * same at build time where it can (see the parent pom's module-boundaries execution); this test
 * reads the class files, so it also holds for what that check cannot see.
 */
class ApiSignaturesTest {

    @Test
    void apiSignaturesNameNoInternalType() {
        assertEquals(List.of(), ApiSignatures.internalTypesInApi(Node.class));
    }
}
