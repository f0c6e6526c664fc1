package dev.gonode.runtime.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON dump: every field of every goroutine, with exact waits and the frames the text shows. */
class JsonDumpTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyGoroutineHasItsRecordFramesAndCreationSite() throws Exception {
        FakeGoroutine g = FakeGoroutine.parked(42, WaitReason.SELECT, Duration.ofMillis(90_123), Map.of("job", "x"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(1, GoroutineDump.of(List.of(g)).writeJson(out));
        JsonNode root = JSON.readTree(out.toByteArray());
        assertEquals(1, root.get("count").asInt());
        JsonNode j = root.get("goroutines").get(0);
        assertEquals(42, j.get("id").asLong());
        assertTrue(j.get("name").isNull());
        assertEquals("waiting", j.get("state").asText());
        assertEquals("select", j.get("status").asText());
        assertEquals("select", j.get("waitReason").asText());
        assertEquals(90_123_000_000L, j.get("waitNanos").asLong());
        assertEquals("1m30.123s", j.get("wait").asText());
        assertEquals(1, j.get("parentId").asLong());
        assertEquals("x", j.get("labels").get("job").asText());
        assertEquals(2, j.get("frames").size(), j::toString);
        JsonNode top = j.get("frames").get(0);
        assertEquals("dev.gonode.runtime.chan.Channel.receive", top.get("function").asText());
        assertEquals("dev.gonode.runtime.chan.Channel", top.get("class").asText());
        assertEquals("receive", top.get("method").asText());
        assertEquals("Channel.java", top.get("file").asText());
        assertEquals(266, top.get("line").asInt());
        assertEquals("com.example.Jobs.start", j.get("createdBy").get("function").asText());
        assertEquals(1, j.get("creationSite").size());
    }

    @Test
    void aLiveDumpListsEveryGoroutineWithItsWaitReasonAndParent() throws Exception {
        try (LiveGoroutines live = new LiveGoroutines().start()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            GoroutineDump.all().filter(live.filter()).write(DumpFormat.JSON, out);
            JsonNode root = JSON.readTree(out.toByteArray());
            Map<Long, JsonNode> byId = new HashMap<>();
            root.get("goroutines").forEach(j -> byId.put(j.get("id").asLong(), j));
            assertEquals(live.expected.size(), byId.size(), root::toString);
            for (Map.Entry<Goroutine, WaitReason> e : live.expected.entrySet()) {
                JsonNode j = byId.get(e.getKey().id());
                assertEquals(e.getValue().goName(), j.get("waitReason").asText(), j::toString);
                assertEquals(e.getKey().parentId(), j.get("parentId").asLong(), j::toString);
                assertTrue(j.get("frames").size() > 0, j::toString);
            }
            assertEquals("worker-1", byId.get(live.named.id()).get("name").asText());
            assertEquals("echo-7", byId.get(live.labelled.id()).get("labels").get("job").asText());
        }
    }
}
