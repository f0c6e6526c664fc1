package dev.gonode.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.node.NodeConfig;
import dev.gonode.node.StartupException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    @Test
    void embeddedDefaultsAreTheDocumentedOnes() throws StartupException {
        NodeConfig config = ConfigLoader.embeddedDefaults();
        assertEquals(new NodeConfig(new NodeConfig.Admin("127.0.0.1", 9090)), config);
    }

    @Test
    void noEnvironmentMeansTheEmbeddedDefaults() throws StartupException {
        assertEquals(ConfigLoader.embeddedDefaults(), ConfigLoader.load(Map.of()));
    }

    @Test
    void environmentOverridesHostAndPort() throws StartupException {
        NodeConfig config = ConfigLoader.load(Map.of("GONODE_ADMIN_PORT", "0", "GONODE_ADMIN_HOST", "0.0.0.0"));
        assertEquals(new NodeConfig.Admin("0.0.0.0", 0), config.admin());
        assertEquals(65535, ConfigLoader.load(Map.of("GONODE_ADMIN_PORT", " 65535 ")).admin().port());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "90 90", "9090x", "1.5"})
    void portThatIsNotANumberIsRefusedNamingVariableValueAndRange(String value) {
        StartupException e = assertThrows(StartupException.class,
                () -> ConfigLoader.load(Map.of("GONODE_ADMIN_PORT", value)));
        assertTrue(e.getMessage().contains("GONODE_ADMIN_PORT=\"" + value + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("not a port number"), e.getMessage());
        assertTrue(e.getMessage().contains("0 to 65535"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "65536", "99999999999999999999"})
    void portOutOfRangeIsRefusedNamingVariableValueAndRange(String value) {
        StartupException e = assertThrows(StartupException.class,
                () -> ConfigLoader.load(Map.of("GONODE_ADMIN_PORT", value)));
        assertTrue(e.getMessage().contains("GONODE_ADMIN_PORT=\"" + value + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        assertTrue(e.getMessage().contains("0 to 65535"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "local host"})
    void blankOrSpacedHostIsRefusedNamingTheVariable(String value) {
        StartupException e = assertThrows(StartupException.class,
                () -> ConfigLoader.load(Map.of("GONODE_ADMIN_HOST", value)));
        assertTrue(e.getMessage().startsWith("GONODE_ADMIN_HOST"), e.getMessage());
    }
}
