package dev.gonode.runtime.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonode.runtime.Go;
import dev.gonode.runtime.Goroutine;
import dev.gonode.runtime.WaitReason;
import dev.gonode.testing.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NotifyListTest {

    @Test
    void aTicketNotifiedBeforeItsHolderParksReturnsAtOnce() {
        // Cond's guarantee against lost signals: the waiter took its ticket (under the lock),
        // the signal came before it parked. await must not park at all.
        NotifyList list = new NotifyList();
        int ticket = list.add();
        list.wakeOne();
        list.await(ticket, WaitReason.SYNC_COND_WAIT, this); // would hang if the signal were lost
    }

    @Test
    void wakeOneServesTicketsInOrderEvenWhenTheirHoldersQueueOutOfOrder() throws Exception {
        NotifyList list = new NotifyList();
        int first = list.add();
        int second = list.add();
        // The holder of the second ticket parks first.
        Goroutine g2 = Go.go(() -> list.await(second, WaitReason.SYNC_COND_WAIT, list));
        awaitParked(g2);
        list.wakeOne(); // ticket `first` has not queued: the wake-up is kept for it, not given to g2
        assertEquals(WaitReason.SYNC_COND_WAIT, g2.waitReason());
        list.await(first, WaitReason.SYNC_COND_WAIT, list); // returns at once
        list.wakeOne();
        assertTrue(g2.join(Duration.ofSeconds(10)));
    }

    @Test
    void wakeAllCoversTicketsWhoseHoldersHaveNotParkedYet() {
        NotifyList list = new NotifyList();
        int a = list.add();
        int b = list.add();
        list.wakeAll();
        list.await(a, WaitReason.SYNC_COND_WAIT, list);
        list.await(b, WaitReason.SYNC_COND_WAIT, list);
    }

    private static void awaitParked(Goroutine g) {
        Await.until(Duration.ofSeconds(10), g + " parks", () -> g.waitReason() == WaitReason.SYNC_COND_WAIT);
    }
}
