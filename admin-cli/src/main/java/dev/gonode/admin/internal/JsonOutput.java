package dev.gonode.admin.internal;

/**
 * Marks a command that honours {@code --output json}. The CLI refuses {@code --output json} (exit
 * status 2, bad usage) for a command without this mark, so that a script asking for JSON never
 * gets text it cannot parse.
 */
public interface JsonOutput {
}
