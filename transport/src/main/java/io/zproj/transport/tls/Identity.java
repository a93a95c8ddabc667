package io.zproj.transport.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who a certificate names: its subject's common name and the role in its organizational unit
 * ({@code CN=replica-a, OU=server}). The name is what a server keeps state under and what
 * {@code --allow} lists.
 */
public record Identity(String name, Role role) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public Identity {
        checkName(name);
    }

    /** @throws IllegalArgumentException unless 1 to 63 letters, digits, dots, dashes or underscores */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad node name '" + name + "': use 1 to 63 letters, digits, '.', '-' "
                    + "or '_', starting with a letter or digit");
        }
        return name;
    }

    /** @throws CertificateException if the subject has no usable CN or no known role */
    public static Identity of(X509Certificate cert) throws CertificateException {
        String cn = null;
        String ou = null;
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cn = String.valueOf(rdn.getValue());
                } else if (rdn.getType().equalsIgnoreCase("OU")) {
                    ou = String.valueOf(rdn.getValue());
                }
            }
            return new Identity(cn, Role.parse(ou));
        } catch (InvalidNameException | IllegalArgumentException e) {
            throw new CertificateException("certificate " + cert.getSubjectX500Principal() + " is not a zproj node's: "
                    + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return name + " (" + role + ")";
    }
}
