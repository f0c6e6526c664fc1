/** The CLI's commands and its HTTP client; not public API. */
package dev.gonode.admin.internal;
