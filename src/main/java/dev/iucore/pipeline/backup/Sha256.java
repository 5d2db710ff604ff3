package dev.iucore.pipeline.backup;

import dev.iucore.pipeline.db.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongConsumer;

/** SHA-256 of a file, and its {@code .sha256} companion in {@code sha256sum} format. */
public final class Sha256 {

    static final String SUFFIX = ".sha256";
    private static final int BUFFER = 1 << 16;

    private Sha256() {
    }

    /** @param onBytes told how many bytes each read added (progress display) */
    public static String of(Path file, LongConsumer onBytes) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            int read;
            while ((read = in.read(buffer)) > 0) {
                digest.update(buffer, 0, read);
                onBytes.accept(read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static Path companion(Path file) {
        return file.resolveSibling(file.getFileName() + SUFFIX);
    }

    /** {@code <hex>  <file name>}: {@code sha256sum -c} checks it from the backups directory. */
    static void writeCompanion(Path file, String hex) throws IOException {
        PrivateFiles.write(companion(file), hex + "  " + file.getFileName() + "\n");
    }
}
