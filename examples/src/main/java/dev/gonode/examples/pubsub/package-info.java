/**
 * Publish/subscribe broker as an active object: one goroutine owns the subscriber table, and
 * every operation is a request sent to it on a channel, so nothing is locked.
 *
 * <p>Mirrors the seeds' Go broker (a {@code loop} goroutine selecting over publish, subscribe and
 * done channels; each subscriber a buffered channel; a non-blocking send that drops the message
 * when a subscriber's buffer is full). Added here: drops are counted per subscription, a
 * subscription can be cancelled, and publishing or subscribing after {@code close} fails at once
 * instead of blocking for ever.
 *
 * <p>Use it when publishers must never wait for consumers (events, notifications, metrics
 * fan-out): a slow subscriber loses messages, and its drop count says how many, while fast ones
 * get everything.
 */
package dev.gonode.examples.pubsub;
