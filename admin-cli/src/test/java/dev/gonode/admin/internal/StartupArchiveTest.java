package dev.gonode.admin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StartupArchiveTest {

    @Test
    void trainingRunsEveryCommandToItsExpectedExitStatus() throws Exception {
        assertEquals(Map.of(), StartupArchive.Training.run());
        assertTrue(StartupArchive.Training.COMMANDS.size() >= 10);
    }

    @Test
    void classListKeepsEveryClassButDropsResolutionHintsNamingTheJarsClasses() {
        Set<String> jar = Set.of("picocli/CommandLine", "picocli/CommandLine$IExecutionExceptionHandler",
                "dev/gonode/admin/GonodeAdmin", "Lone");
        List<String> list = List.of(
                "java/lang/Object id: 0",
                "picocli/CommandLine id: 1 super: 0 source: /x/gonode-admin.jar",
                "@cp picocli/CommandLine 4 6 8",
                "@cp java/util/HashMap 1 2",
                "@lambda-proxy dev/gonode/admin/GonodeAdmin handle ()Lpicocli/CommandLine$IExecutionExceptionHandler; x",
                "@lambda-proxy java/util/stream/Foo apply ([Lpicocli/CommandLine;)V",
                "@lambda-proxy java/lang/Thread run ()Ljava/lang/Runnable; (Ljava/lang/Object;)V",
                "@cp Lone 1");
        assertEquals(List.of(
                "java/lang/Object id: 0",
                "picocli/CommandLine id: 1 super: 0 source: /x/gonode-admin.jar",
                "@cp java/util/HashMap 1 2",
                "@lambda-proxy java/lang/Thread run ()Ljava/lang/Runnable; (Ljava/lang/Object;)V"),
                StartupArchive.archivable(list, jar));
    }
}
