package dev.iucore.pipeline.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The console's scripts and styles, read from the class path once and served from memory under
 * {@code /assets/}: htmx and uPlot from their webjars, the console's own glue and style. A fixed
 * list, so no request names a file.
 */
final class ConsoleAssets {

    private record Asset(String contentType, Buffer content) {
    }

    private final Map<String, Asset> assets;

    private ConsoleAssets(Map<String, Asset> assets) {
        this.assets = assets;
    }

    static ConsoleAssets load() {
        String htmx = "/META-INF/resources/webjars/htmx.org/" + webjarVersion("htmx.org") + "/dist/";
        String uplot = "/META-INF/resources/webjars/uplot/" + webjarVersion("uplot") + "/dist/";
        String own = "console/";
        return new ConsoleAssets(Map.of(
                "htmx.min.js", asset("text/javascript", htmx + "htmx.min.js"),
                "uPlot.iife.min.js", asset("text/javascript", uplot + "uPlot.iife.min.js"),
                "uPlot.min.css", asset("text/css", uplot + "uPlot.min.css"),
                "console.js", asset("text/javascript", own + "console.js"),
                "console.css", asset("text/css", own + "console.css")));
    }

    void serve(RoutingContext context) {
        Asset asset = assets.get(context.pathParam("name"));
        if (asset == null) {
            context.response().setStatusCode(404).end();
            return;
        }
        context.response().putHeader("content-type", asset.contentType() + "; charset=utf-8")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Cache-Control", "max-age=3600").end(asset.content());
    }

    private static Asset asset(String contentType, String resource) {
        try (InputStream in = ConsoleAssets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing console asset " + resource + " on the class path");
            }
            return new Asset(contentType, Buffer.buffer(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The version of a webjar on the class path, from its Maven metadata: the pom names it once. */
    private static String webjarVersion(String artifact) {
        String path = "/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = ConsoleAssets.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing " + path + ": the " + artifact + " webjar is not on the class path");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
