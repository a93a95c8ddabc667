package io.zproj.transport.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A zproj certificate authority in a directory: {@code ca.key} (0600), {@code ca.pem}, the
 * revocation list {@code crl.pem}, and {@code issued.tsv}, one line per certificate issued
 * (serial, name, role, expiry) so that {@code revoke} can find a name's serials. Keys are EC
 * P-256, signatures SHA-256 with ECDSA. The directory is the CA: keep it off the servers.
 */
public final class CertificateAuthority {

    public static final String CA_KEY = "ca.key";
    public static final String CA_CERT = "ca.pem";
    public static final String CRL = "crl.pem";
    public static final String ISSUED = "issued.tsv";
    /** What {@link #issue} writes into a node directory. */
    public static final String NODE_CA = "ca.pem";
    public static final String NODE_CERT = "node.pem";
    public static final String NODE_KEY = "node.key";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern DNS = Pattern.compile("[A-Za-z0-9*]([A-Za-z0-9.-]{0,252})");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final PrivateKey key;
    private final X509Certificate cert;
    private final Clock clock;

    private CertificateAuthority(Path dir, PrivateKey key, X509Certificate cert, Clock clock) {
        this.dir = dir;
        this.key = key;
        this.cert = cert;
        this.clock = clock;
    }

    /**
     * Makes a new CA in {@code dir} (created 0700 if missing).
     *
     * @throws IOException if {@code dir} already holds a CA (it is never overwritten)
     */
    public static CertificateAuthority init(Path dir, String name, Duration validity, Clock clock) throws IOException {
        if (Files.exists(dir.resolve(CA_KEY)) || Files.exists(dir.resolve(CA_CERT))) {
            throw new IOException(dir + " already holds a CA (" + CA_CERT + "); it is not overwritten");
        }
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        try {
            KeyPair kp = newKeyPair();
            Instant now = clock.instant();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name)
                    .addRDN(BCStyle.OU, "ca").build();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate caCert = new JcaX509CertificateConverter().getCertificate(b.build(signer(kp.getPrivate())));
            Pem.write(dir.resolve(CA_KEY), Pem.encode("PRIVATE KEY", kp.getPrivate().getEncoded()), true);
            Pem.write(dir.resolve(CA_CERT), Pem.encode("CERTIFICATE", caCert.getEncoded()), false);
            CertificateAuthority ca = new CertificateAuthority(dir, kp.getPrivate(), caCert, clock);
            ca.writeCrl(java.util.Optional.empty(), BigInteger.ONE, List.of());
            Files.writeString(dir.resolve(ISSUED), "# serial\tname\trole\tnot after\n");
            return ca;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make a CA: " + e.getMessage(), e);
        }
    }

    /** Opens the CA in {@code dir}. */
    public static CertificateAuthority open(Path dir, Clock clock) throws IOException {
        if (!Files.exists(dir.resolve(CA_CERT))) {
            throw new IOException(dir + " holds no CA (no " + CA_CERT + "); make one with: zproj ca init " + dir);
        }
        return new CertificateAuthority(dir, Pem.privateKey(dir.resolve(CA_KEY)), Pem.certificate(dir.resolve(CA_CERT)),
                clock);
    }

    public X509Certificate certificate() {
        return cert;
    }

    /**
     * Issues a certificate for {@code name} with {@code role} into {@code out} ({@code ca.pem},
     * {@code node.pem}, {@code node.key} 0600).
     *
     * @param sans the names and addresses peers dial this node by (servers); none for clients
     */
    public X509Certificate issue(String name, Role role, List<String> sans, Duration validity, Path out)
            throws IOException {
        Identity.checkName(name);
        Files.createDirectories(out);
        try {
            KeyPair kp = newKeyPair();
            Instant now = clock.instant();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name)
                    .addRDN(BCStyle.OU, role.wire()).build();
            BigInteger serial = serial();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(cert, serial,
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, role == Role.SERVER
                    ? new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})
                    : new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, generalNames(sans));
            }
            X509Certificate issued = new JcaX509CertificateConverter().getCertificate(b.build(signer(key)));
            Pem.write(out.resolve(NODE_KEY), Pem.encode("PRIVATE KEY", kp.getPrivate().getEncoded()), true);
            Pem.write(out.resolve(NODE_CERT), Pem.encode("CERTIFICATE", issued.getEncoded()), false);
            Pem.write(out.resolve(NODE_CA), Pem.encode("CERTIFICATE", cert.getEncoded()), false);
            Files.writeString(dir.resolve(ISSUED), serial.toString(16) + "\t" + name + "\t" + role.wire() + "\t"
                    + issued.getNotAfter().toInstant() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return issued;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot issue a certificate for " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Revokes every certificate issued to {@code name} into {@code crl.pem} (re-signed, with a
     * higher CRL number; entries already there are kept).
     *
     * @return the serials newly revoked (empty if all were already)
     * @throws IOException if this CA never issued a certificate to {@code name}
     */
    public List<BigInteger> revoke(String name) throws IOException {
        List<BigInteger> serials = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(ISSUED))) {
            String[] f = line.split("\t");
            if (f.length >= 2 && !line.startsWith("#") && f[1].equals(name)) {
                serials.add(new BigInteger(f[0], 16));
            }
        }
        if (serials.isEmpty()) {
            throw new IOException("this CA issued no certificate to '" + name + "' (see " + dir.resolve(ISSUED) + ")");
        }
        X509CRL old = Pem.crl(dir.resolve(CRL));
        List<BigInteger> fresh = serials.stream().filter(s -> old.getRevokedCertificate(s) == null).toList();
        byte[] number = old.getExtensionValue(Extension.cRLNumber.getId());
        BigInteger next = number == null ? BigInteger.TWO
                : CRLNumber.getInstance(org.bouncycastle.asn1.ASN1OctetString.getInstance(number).getOctets())
                        .getCRLNumber().add(BigInteger.ONE);
        writeCrl(java.util.Optional.of(old), next, fresh);
        return fresh;
    }

    /** Signs and writes a revocation list: the entries of {@code previous}, then {@code revoke}, as CRL {@code number}. */
    private void writeCrl(java.util.Optional<X509CRL> previous, BigInteger number, List<BigInteger> revoke)
            throws IOException {
        try {
            Instant now = clock.instant();
            X509v2CRLBuilder b = new JcaX509v2CRLBuilder(cert.getSubjectX500Principal(), Date.from(now));
            b.setNextUpdate(Date.from(now.plus(Duration.ofDays(3650))));
            if (previous.isPresent()) {
                b.addCRL(new X509CRLHolder(previous.get().getEncoded()));
            }
            for (BigInteger s : revoke) {
                b.addCRLEntry(s, Date.from(now), CRLReason.cessationOfOperation);
            }
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(cert));
            X509CRL crl = new JcaX509CRLConverter().getCRL(b.build(signer(key)));
            Pem.write(dir.resolve(CRL), Pem.encode("X509 CRL", crl.getEncoded()), false);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot write the revocation list: " + e.getMessage(), e);
        }
    }

    private static GeneralNames generalNames(List<String> sans) {
        List<GeneralName> names = new ArrayList<>();
        for (String s : sans) {
            if (IPV4.matcher(s).matches() || s.contains(":")) {
                try {
                    InetAddress.getByName(s); // a literal: no lookup
                } catch (IOException e) {
                    throw new IllegalArgumentException("bad address '" + s + "'");
                }
                names.add(new GeneralName(GeneralName.iPAddress, s));
            } else if (DNS.matcher(s).matches()) {
                names.add(new GeneralName(GeneralName.dNSName, s));
            } else {
                throw new IllegalArgumentException("bad subject alternative name '" + s
                        + "': expected a host name or an IP address");
            }
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }
}
