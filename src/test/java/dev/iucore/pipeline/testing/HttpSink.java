package dev.iucore.pipeline.testing;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A real HTTP target on 127.0.0.1 (WireMock) per test class: stubs, and what it received. */
public final class HttpSink implements BeforeAllCallback, AfterAllCallback {

    private WireMockServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
                .containerThreads(40).asynchronousResponseEnabled(true));
        server.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.stop();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    public void stub(MappingBuilder mapping) {
        server.stubFor(mapping);
    }

    public List<LoggedRequest> received(String path) {
        return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo(path)));
    }

    public WireMockServer server() {
        return server;
    }
}
