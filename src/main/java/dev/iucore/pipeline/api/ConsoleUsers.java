package dev.iucore.pipeline.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.db.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The users of the operator API, from the file {@code iu.console.users-file} names: JSON, mode 0600,
 * each user with a role, a PBKDF2 password hash and SHA-256 token hashes. A file others may read,
 * or that is not ours to read, is refused with the reason: it guards who may open gates.
 */
public final class ConsoleUsers {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String KEY = Setting.CONSOLE_USERS_FILE.key();

    /** One user as stored; {@code password} and {@code tokens} are hashes only. */
    public record User(String name, String role, String password, List<String> tokens) {
        public User {
            tokens = tokens == null ? List.of() : List.copyOf(tokens);
        }
    }

    record FileContent(List<User> users) {
        FileContent {
            users = users == null ? List.of() : List.copyOf(users);
        }
    }

    private final List<User> users;

    private ConsoleUsers(List<User> users) {
        this.users = List.copyOf(users);
    }

    /** Reads the file; missing, not 0600, or malformed: a start-up error naming the file and the fix. */
    public static ConsoleUsers load(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new ConfigurationException(KEY + ": " + file + " is not a file; create it with"
                    + " `iu-core console add-user --name <name> --role operator|viewer ...`");
        }
        try {
            requireOwnerOnly(file);
            List<User> users = JSON.readValue(file.toFile(), FileContent.class).users();
            for (User user : users) {
                Role.of(user.role());
            }
            return new ConsoleUsers(users);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException(KEY + ": cannot read the users file " + file + ": " + e.getMessage());
        }
    }

    /** The file as it is, or no users when it does not exist yet (add-user creates it). */
    public static ConsoleUsers loadOrEmpty(Path file) {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? load(file) : new ConsoleUsers(List.of());
    }

    private static void requireOwnerOnly(Path file) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        if (!PrivateFiles.FILE.equals(mode)) {
            throw new ConfigurationException(KEY + ": the users file " + file + " has mode "
                    + PosixFilePermissions.toString(mode) + "; it holds password hashes and must be rw------- (0600):"
                    + " chmod 600 " + file);
        }
    }

    /** This set with {@code user} added, or replacing the user of that name. */
    public ConsoleUsers with(User user) {
        List<User> next = new ArrayList<>(users.stream().filter(u -> !u.name().equals(user.name())).toList());
        next.add(user);
        return new ConsoleUsers(next);
    }

    /** Writes the file atomically, 0600 from its first byte. */
    public void save(Path file) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            requireOwnerOnly(file);
        }
        PrivateFiles.write(file, JSON.writeValueAsString(new FileContent(users)));
    }

    public List<User> users() {
        return users;
    }

    /** A user and password, as HTTP Basic gives them. */
    public Optional<Caller> byPassword(String name, char[] password) {
        return users.stream().filter(u -> u.name().equals(name))
                .filter(u -> PasswordHash.matchesPassword(u.password(), password))
                .findFirst().map(ConsoleUsers::caller);
    }

    /** A bearer token: whoever holds one of the user's tokens is that user. */
    public Optional<Caller> byToken(String token) {
        return users.stream().filter(u -> u.tokens().stream().anyMatch(t -> PasswordHash.matchesToken(t, token)))
                .findFirst().map(ConsoleUsers::caller);
    }

    /** A new user; the password and token given in clear are kept as hashes only. */
    public static User newUser(String name, Role role, char[] password, String token) {
        return new User(name, role.fileName(), password == null ? null : PasswordHash.hashPassword(password),
                token == null ? List.of() : List.of(PasswordHash.hashToken(token)));
    }

    /** A fresh bearer token to show once. */
    public static String newToken() {
        return PasswordHash.newToken();
    }

    private static Caller caller(User user) {
        return new Caller(user.name(), Role.of(user.role()));
    }
}
