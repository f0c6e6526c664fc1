package dev.gonode.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A job the node ran, from acceptance to reply; the event's duration is the job's. The node
 * {@code begin()}s it on acceptance and {@code commit()}s it with the outcome. No payloads.
 */
@Name("gonode.Job")
@Label("Job")
@Category("gonode")
@Description("A job run by the node, from acceptance to reply")
@StackTrace(false)
public final class JobEvent extends jdk.jfr.Event {

    @Label("Job Id")
    public String jobId;

    @Label("Handler")
    public String handler;

    @Label("Outcome")
    @Description("The job's status as the job API reports it: succeeded, failed, cancelled or aborted")
    public String outcome;

    @Label("Error Code")
    @Description("For a job that did not succeed, the API's error code (payload_rejected, handler_failed,"
            + " deadline_exceeded, cancelled, aborted); empty otherwise")
    public String code;

    @Label("Goroutine Id")
    @Description("The worker goroutine that ran the job; 0 if it never started")
    public long goroutineId;
}
