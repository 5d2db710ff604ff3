package dev.iucore.pipeline.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Directories (0700) and files (0600) only their owner can read: the data directory, the
 * credentials and owner files, the backups. Created with those modes rather than the umask's,
 * so there is no moment at which another local user could open them.
 */
public final class PrivateFiles {

    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /** Creates the directory (and missing parents) 0700 when missing; an existing one is left as it is. */
    public static Path directory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, attribute(DIRECTORY));
        }
        return dir;
    }

    /** Creates the directory 0700 when missing, and narrows an existing one to 0700. */
    public static Path ownerOnlyDirectory(Path dir) throws IOException {
        directory(dir);
        if (!Files.getPosixFilePermissions(dir).equals(DIRECTORY)) {
            Files.setPosixFilePermissions(dir, DIRECTORY);
        }
        return dir;
    }

    /** Creates an empty 0600 file, for a tool that then writes into it (pg_dump keeps the mode it finds). */
    public static Path emptyFile(Path file) throws IOException {
        return Files.createFile(file, attribute(FILE));
    }

    /** Replaces the file's content atomically; the file is 0600 from its first byte. */
    public static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.writeString(emptyFile(tmp), content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes a directory of ours and everything in it; nothing when it is absent. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> permissions) {
        return PosixFilePermissions.asFileAttribute(permissions);
    }
}
