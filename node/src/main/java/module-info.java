/**
 * The gonode worker node: {@code dev.gonode.node} (start a node, its configuration, the
 * {@link dev.gonode.node.JobHandler} service its jobs run on) and the built-in handlers in
 * {@code dev.gonode.node.handlers}. Everything under {@code dev.gonode.node.internal} (the routers,
 * the job engine, the stores, configuration loading) is not exported.
 *
 * <p>Handlers are services: a module {@code provides dev.gonode.node.JobHandler with ...}, a jar
 * on the class path lists its classes in {@code META-INF/services/dev.gonode.node.JobHandler};
 * {@code Node} finds both through {@link java.util.ServiceLoader}.
 */
module dev.gonode.node {
    exports dev.gonode.node;
    exports dev.gonode.node.handlers;

    uses dev.gonode.node.JobHandler;
    provides dev.gonode.node.JobHandler with
            dev.gonode.node.handlers.EchoHandler,
            dev.gonode.node.handlers.SleepHandler,
            dev.gonode.node.handlers.Sha256Handler,
            dev.gonode.node.handlers.FanoutHandler;

    // Job and NodeConfig name the runtime's Context, Duration parsing and Jackson's JsonNode
    requires transitive dev.gonode.runtime;
    requires transitive com.fasterxml.jackson.databind;

    requires io.vertx.core;
    requires io.vertx.web;
    requires io.vertx.metrics.micrometer;
    requires io.netty.codec;             // decoder results and the too-long request line and
    requires io.netty.codec.http;        // header exceptions, for JSON answers to malformed requests
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires org.slf4j;
    requires java.management;
    requires jdk.management;             // the open-file limit (UnixOperatingSystemMXBean)
    requires jdk.unsupported;            // sun.misc.Signal: SIGTERM and SIGINT start the drain
    requires jdk.jfr;
    // the PostgreSQL job store
    requires java.sql;
    requires org.postgresql.jdbc;
    requires com.zaxxer.hikari;
    requires flyway.core;
    // periodic jobs' cron schedules
    requires com.cronutils;

    // Jackson binds the configuration and the job API's bodies to these records
    opens dev.gonode.node to com.fasterxml.jackson.databind;
    opens dev.gonode.node.internal to com.fasterxml.jackson.databind;
    opens dev.gonode.node.internal.jobs to com.fasterxml.jackson.databind;
}
