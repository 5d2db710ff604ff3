package dev.iucore.pipeline.db;

import dev.iucore.pipeline.config.Setting;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries bundled in the jar (zonky's archive), unpacked under the data directory,
 * which is 0700: no other local user can plant a program there. Never a shared directory such as
 * {@code /tmp/embedded-pg}, where a directory someone else prepared would have been run as ours.
 * Each archive unpacks into {@code pg-bin/<sha-256>} through a temporary name, so a directory with
 * the final name is always complete.
 */
final class PostgresBinaries {

    static final String DIRECTORY = "pg-bin";
    private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);

    private PostgresBinaries() {
    }

    /** The unpacked installation (holding {@code bin/}, {@code lib/}, {@code share/}), unpacked now if missing. */
    static Path unpack(Path dataDir) throws IOException {
        byte[] archive;
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system(), System.getProperty("os.arch"))) {
            archive = in.readAllBytes();
        } catch (IllegalStateException e) {
            // the jar holds the bundle of the platform it was built on (pom.xml, pg.binaries)
            throw new EmbeddedDatabaseException("this iu-core jar has no embedded PostgreSQL for " + system() + " "
                    + System.getProperty("os.arch") + " (" + e.getMessage() + "): build it on this platform or with"
                    + " -Pall-platforms, or set " + Setting.DB_URL.envName() + " to an external PostgreSQL", e);
        }
        Path parent = PrivateFiles.ownerOnlyDirectory(dataDir.resolve(DIRECTORY));
        Path home = parent.resolve(sha256(archive));
        if (Files.isDirectory(home)) {
            return home;
        }
        Path partial = parent.resolve(home.getFileName() + ".partial");
        PrivateFiles.deleteTree(partial);
        PrivateFiles.directory(partial);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                extract(tar, entry, partial);
            }
        }
        Files.move(partial, home, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("unpacked the embedded PostgreSQL binaries into {}", home);
        return home;
    }

    private static void extract(TarArchiveInputStream tar, TarArchiveEntry entry, Path root) throws IOException {
        Path target = root.resolve(entry.getName()).normalize();
        if (!target.startsWith(root)) {
            throw new IOException("the PostgreSQL archive holds an entry outside its directory: " + entry.getName());
        }
        if (entry.isDirectory()) {
            PrivateFiles.directory(target);
        } else if (entry.isSymbolicLink()) {
            PrivateFiles.directory(target.getParent());
            Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
        } else if (entry.isFile()) {
            PrivateFiles.directory(target.getParent());
            Files.copy(tar, target);
            // owner bits only: the archive's executables stay executable, by their owner alone
            Files.setPosixFilePermissions(target, (entry.getMode() & 0100) != 0 ? PrivateFiles.DIRECTORY : PrivateFiles.FILE);
        } else {
            throw new IOException("the PostgreSQL archive holds an entry of an unexpected kind: " + entry.getName());
        }
    }

    /** The archive's name for this operating system, as zonky's resolver expects it. */
    private static String system() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        return os.startsWith("mac") ? "Darwin" : os.startsWith("windows") ? "Windows" : "Linux";
    }

    private static String sha256(byte[] archive) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
