package dev.iucore.pipeline.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Reads SQL files packaged on the classpath and fills their ${placeholders}. */
public final class SqlScripts {

    private SqlScripts() {
    }

    public static String read(String resource) {
        try (InputStream in = SqlScripts.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("SQL script " + resource + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SQL script " + resource, e);
        }
    }

    public static String read(String resource, Map<String, String> placeholders) {
        String sql = read(resource);
        for (Map.Entry<String, String> entry : placeholders.entrySet()) {
            sql = sql.replace("${" + entry.getKey() + "}", entry.getValue());
        }
        return sql;
    }
}
