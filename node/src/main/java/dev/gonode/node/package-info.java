/**
 * The gonode worker node: {@link dev.gonode.node.Main} starts the gonode runtime and the node's
 * HTTP listeners on Vert.x; {@link dev.gonode.node.Node} is the running node, which tests start
 * in-process. For now the node has its admin listener ({@code /healthz}, {@code /debug/sched});
 * the job API, readiness and the drain come with later issues. Wiring lives in {@code Node};
 * handlers and configuration loading under {@code internal}.
 */
package dev.gonode.node;
