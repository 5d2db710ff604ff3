package dev.iucore.pipeline.console;

import dev.iucore.pipeline.api.ApiFixture;
import dev.iucore.pipeline.testing.SystemTools;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium per test class, driven by Selenium through Debian's chromedriver (both
 * installed by {@link SystemTools} when missing; nothing is downloaded). Screenshots of the pages
 * the README shows go to {@code docs/screenshots/}, so they stay current with the console.
 */
final class Chromium implements BeforeAllCallback, AfterAllCallback {

    private static final Path SCREENSHOTS = Path.of("docs", "screenshots");

    private final ApiFixture console;
    private ChromeDriver driver;

    Chromium(ApiFixture console) {
        this.console = console;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        SystemTools.ensure();
        ChromeOptions options = new ChromeOptions().setBinary(executable("chromium"))
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                        "--window-size=1366,900", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(executable("chromedriver"))).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (driver != null) {
            driver.quit();
        }
    }

    private static String executable(String name) {
        for (String dir : new String[] {"/usr/bin", "/usr/local/bin"}) {
            if (new File(dir, name).canExecute()) {
                return dir + "/" + name;
            }
        }
        throw new IllegalStateException(name + " is not installed: src/test/sh/ensure-test-tools.sh installs Debian's"
                + " chromium and chromium-driver");
    }

    ChromeDriver driver() {
        return driver;
    }

    /** A wait that looks again when the live parts (polled every 5 s) replaced what it had found. */
    WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(45), Duration.ofMillis(250));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    void open(String path) {
        driver.get(console.url(path));
    }

    /** Signs out whoever is signed in and signs {@code user} in with the form. */
    void signIn(String user) {
        driver.manage().deleteAllCookies();
        open("/login");
        driver.findElement(By.name("username")).sendKeys(user);
        driver.findElement(By.name("password")).sendKeys(ApiFixture.PASSWORD);
        submit(By.cssSelector("#login-form button[type=submit]"));
        waiting().until(d -> !d.findElements(By.id("who")).isEmpty());
    }

    /** Clicks what submits a form or follows a link, and waits until the next page has replaced this one. */
    void submit(WebElement element) {
        element.click();
        waiting().until(d -> replaced(element));
    }

    /** Whether the page the click led to replaced the element; Selenium's stalenessOf knows only one of Chrome's two ways of saying so. */
    private static boolean replaced(WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (StaleElementReferenceException e) {
            return true;
        } catch (WebDriverException e) {
            if (detached(e)) {
                return true;
            }
            throw e;
        }
    }

    /** Chrome's other way of saying an element is stale. */
    private static boolean detached(WebDriverException e) {
        return String.valueOf(e.getMessage()).contains("does not belong to the document");
    }

    void submit(By by) {
        submit(driver.findElement(by));
    }

    /**
     * The element's text; found again if a live part was swapped between finding and reading it (Chrome
     * then says either "stale element" or "Node with given id does not belong to the document").
     */
    String text(String id) {
        return waiting().until(d -> {
            try {
                return d.findElement(By.id(id)).getText();
            } catch (WebDriverException e) {
                if (detached(e)) {
                    return null;
                }
                throw e;
            }
        });
    }

    String pageText() {
        return driver.findElement(By.tagName("body")).getText();
    }

    /** The page as it is now, as {@code docs/screenshots/<name>.png}. */
    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
