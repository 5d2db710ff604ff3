package dev.iucore.pipeline.delivery;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads at most the first {@code limit} bytes of a response body and then stops, with control
 * characters and runs of blanks as one space, so an error response's excerpt costs a bounded amount of memory and a body that never ends does not hold the
 * try (the caller's deadline covers a body that trickles below the limit).
 */
final class BodyHead implements HttpResponse.BodySubscriber<String> {

    private final int limit;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    BodyHead(int limit) {
        this.limit = limit;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            int take = Math.min(buffer.remaining(), limit - head.size());
            byte[] bytes = new byte[take];
            buffer.get(bytes);
            head.write(bytes, 0, take);
        }
        if (head.size() >= limit) {
            subscription.cancel();
            onComplete();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onError(Throwable error) {
        result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        // control characters (terminal escapes, NULs) never reach a table, a log or an operator's screen
        result.complete(head.toString(StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}\\s]+", " ").strip());
    }

    @Override
    public CompletionStage<String> getBody() {
        return result;
    }
}
