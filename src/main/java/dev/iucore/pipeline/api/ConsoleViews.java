package dev.iucore.pipeline.api;

import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/**
 * The console's pages: Thymeleaf templates beside this class ({@code console/*.html}), text escaped
 * by default. A request from htmx (header {@code HX-Request}) that polls a page gets only its
 * {@code #live} part.
 */
final class ConsoleViews {

    private final TemplateEngine engine = new TemplateEngine();

    ConsoleViews() {
        ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver(ConsoleViews.class.getClassLoader());
        resolver.setPrefix(ConsoleViews.class.getPackageName().replace('.', '/') + "/console/");
        resolver.setSuffix(".html");
        resolver.setTemplateMode(TemplateMode.HTML);
        resolver.setCharacterEncoding("UTF-8");
        resolver.setCacheable(true);
        engine.setTemplateResolver(resolver);
    }

    void send(RoutingContext context, String template, Map<String, Object> model) {
        Context variables = new Context(Locale.ROOT, model);
        boolean poll = context.request().getHeader("HX-Request") != null;
        String html = poll ? engine.process(template, Set.of("#live"), variables) : engine.process(template, variables);
        context.response().putHeader("content-type", "text/html; charset=utf-8").end(html);
    }
}
