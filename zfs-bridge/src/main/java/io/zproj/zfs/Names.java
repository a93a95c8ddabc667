package io.zproj.zfs;

/** Validation shared by the name types. */
final class Names {

    /** ZFS limits a full dataset or snapshot name to 255 bytes (ZFS_MAX_DATASET_NAME_LEN - 1). */
    static final int MAX_NAME_LENGTH = 255;

    private Names() {}

    /**
     * Checks one component of a pool, dataset or snapshot name: the characters ZFS allows
     * (letters, digits, {@code _ - . :}), not empty, not {@code .} or {@code ..}, and not
     * starting with {@code -} (which a command would read as an option).
     *
     * @return null if valid, otherwise the reason
     */
    static String componentProblem(String component) {
        if (component.isEmpty()) {
            return "empty component";
        }
        if (component.equals(".") || component.equals("..")) {
            return "'" + component + "' is not allowed as a component";
        }
        if (component.charAt(0) == '-') {
            return "a component may not start with '-'";
        }
        for (int i = 0; i < component.length(); i++) {
            char c = component.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '.' || c == ':';
            if (!ok) {
                return "character " + describe(c) + " is not allowed";
            }
        }
        return null;
    }

    static String describe(char c) {
        return c < 0x20 || c == 0x7f ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    /** Quotes untrusted text for an error message, bounded and with control characters escaped. */
    static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        int limit = Math.min(text.length(), 80);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (text.length() > limit) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }
}
