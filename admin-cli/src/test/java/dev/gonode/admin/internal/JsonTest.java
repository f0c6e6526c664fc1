package dev.gonode.admin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsTheSameTreeAsAnObjectMapper() throws Exception {
        String text = "{\"s\":\"x\\u00e9\",\"i\":-3,\"big\":18446744073709551617,\"f\":1.5,\"t\":true,\"n\":null,"
                + "\"a\":[1,[2,{}],\"y\"],\"o\":{\"k\":false}}";
        JsonNode ours = Json.parse(text);
        assertEquals(new ObjectMapper().readTree(text), ours);
        assertEquals(new BigInteger("18446744073709551617"), ours.path("big").bigIntegerValue());
        assertEquals(-3, ours.path("i").asInt());
    }

    @Test
    void refusesWhatIsNotOneJsonValue() {
        assertThrows(IOException.class, () -> Json.parse(""));
        assertThrows(IOException.class, () -> Json.parse("{\"a\":1} xyz"));
        assertThrows(IOException.class, () -> Json.parse("{\"a\":"));
        assertThrows(IOException.class, () -> Json.parse("<html>"));
    }

    @Test
    void writesWithTheGenerator() throws Exception {
        String text = Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("state", "chan \"receive\"");
            g.writeNumberField("count", 2);
            g.writeEndObject();
        });
        JsonNode back = new ObjectMapper().readTree(text);
        assertEquals("chan \"receive\"", back.path("state").asText());
        assertTrue(back.path("count").isInt());
    }
}
