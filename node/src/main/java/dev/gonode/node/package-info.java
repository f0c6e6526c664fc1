/**
 * The gonode worker node: {@link dev.gonode.node.Main} starts the gonode runtime and the node's two
 * HTTP listeners on Vert.x; {@link dev.gonode.node.Node} is the running node, which tests start
 * in-process. The job port serves the job API ({@code POST /v1/jobs/{handler}},
 * {@code GET /v1/jobs/{id}}), run by the {@link dev.gonode.node.JobHandler}s found through
 * {@link java.util.ServiceLoader}. The admin port serves the probes ({@code /healthz},
 * {@code /readyz}), {@code /metrics}, the runtime's diagnostics under {@code /debug} and the drain
 * ({@code POST /admin/drain}, also started by SIGTERM). Wiring lives in {@code Node}; the routers,
 * the job engine and configuration loading under {@code internal}; built-in handlers under
 * {@code handlers}.
 */
package dev.gonode.node;
