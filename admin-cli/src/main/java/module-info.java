/**
 * {@code gonode-admin}, the operator's command line: {@link dev.gonode.admin.GonodeAdmin} is its
 * entry point; the commands and the admin-port client under {@code dev.gonode.admin.internal} are
 * not exported. Picocli reads and sets the commands' annotated fields, so both packages are open
 * to it.
 */
module dev.gonode.admin {
    exports dev.gonode.admin;

    requires dev.gonode.runtime;            // GoDuration, the one Go-duration parser
    requires transitive info.picocli;      // GonodeAdmin is a Picocli command; its converters are public
    requires com.fasterxml.jackson.databind;

    opens dev.gonode.admin to info.picocli;
    opens dev.gonode.admin.internal to info.picocli;
}
