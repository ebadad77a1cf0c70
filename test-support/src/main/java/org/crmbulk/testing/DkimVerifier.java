package org.crmbulk.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Verifies a message's DKIM signature with dkimpy (Debian's python3-dkim, the library behind {@code dkimverify}), a
 * verifier nobody here wrote, handing it the public key's TXT record instead of a DNS lookup.
 */
public final class DkimVerifier {

    private DkimVerifier() {
    }

    /** dkimpy's verdict on the message, and what it logged when it refused it. */
    public record Verdict(boolean valid, String log) {
    }

    public static Verdict verify(byte[] message, String dnsName, String txtRecord) throws IOException, InterruptedException {
        Path file = Files.createTempFile("dkim", ".eml");
        try {
            Files.write(file, message);
            // Debian's python3-dkim serves /usr/bin/python3, which may not be the python3 first on PATH (pyenv).
            String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
            Process p = new ProcessBuilder(python, "-c", """
                    import sys, logging, io, dkim
                    name, txt, path = sys.argv[1], sys.argv[2], sys.argv[3]
                    def dns(qname, timeout=5):
                        q = qname.decode() if isinstance(qname, bytes) else qname
                        return txt.encode() if q.rstrip('.') == name else None
                    log = io.StringIO()
                    logger = logging.getLogger('dkim'); logger.addHandler(logging.StreamHandler(log)); logger.setLevel(logging.DEBUG)
                    ok = dkim.verify(open(path, 'rb').read(), dnsfunc=dns, logger=logger)
                    print('VALID' if ok else 'INVALID'); print(log.getvalue())
                    """, dnsName, txtRecord, file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("dkimpy did not run (python3-dkim is installed by .ci/run): " + out);
            }
            return new Verdict(out.startsWith("VALID"), out);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
