package io.loopscope.diagnostics;

import io.loopscope.loopwatch.LoopWatch;
import java.util.Comparator;
import io.loopscope.testing.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real browser: Debian's chromium, driven headless through its chromedriver (never a
 * downloaded one). Skipped, saying why, where they are not installed; {@code bash .ci/run} installs them.
 */
class DashboardBrowserTest {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOT = Path.of("target", "dashboard.png");

  private static TestService service;
  private static ChromeDriver browser;
  private static Path profile;

  @BeforeAll
  static void start() throws IOException {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
      "Skipped: the dashboard browser test needs Debian's chromium and chromium-driver "
        + "(apt-get install chromium chromium-driver; bash .ci/run installs them)");
    // one cpu thread: the demo's 16 shuffled sorts queue behind each other far past the 100-ms threshold however
    // warm the JIT (on a warm jar, 11 to 15 of them waited over it, the last 435 to 1,100 ms)
    service = TestService.start(Map.of("cpu.poolSize", 1));
    profile = Files.createTempDirectory("loopscope-chromium");
    ChromeOptions options = new ChromeOptions()
      .setBinary(CHROMIUM.toFile())
      .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
        "--window-size=1280,1000", "--user-data-dir=" + profile);
    ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
      .usingAnyFreePort().build();
    browser = new ChromeDriver(driver, options);
  }

  @AfterAll
  static void stop() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (service != null) {
      service.close();
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @Test
  void the_demo_control_makes_a_bad_example_row_appear_live() throws IOException {
    // start from an empty table, whatever a cold start cost (NoBlockedLoopsTest checks the loops under load)
    service.service().main().loopWatch().reset();
    browser.get("http://127.0.0.1:" + service.adminPort() + "/dashboard");
    // rows are drawn again as each report event arrives: an element read a moment ago may be gone
    WebDriverWait wait = (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(15)).ignoring(StaleElementReferenceException.class);
    wait.until(ExpectedConditions.textToBe(By.id("status"), "live"));
    assertThat(browser.findElements(By.cssSelector("tr.report"))).isEmpty();

    browser.findElement(By.id("run-demo")).click();

    WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(
      By.cssSelector("tr.report[data-route='GET /bad-example']")));
    assertThat(row.getText()).contains("GET /bad-example", "vert.x-eventloop-thread-");
    // the node column and filter: off the cluster, this node alone
    String node = row.getAttribute("data-node");
    assertThat(node).endsWith("-" + ProcessHandle.current().pid());
    assertThat(row.getText()).contains(node);
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("node-filter"))).selectByValue(node);
    assertThat(row.isDisplayed()).isTrue();
    wait.until(ExpectedConditions.textMatches(By.id("status"), java.util.regex.Pattern.compile("demo done")));
    // each bad call is a stall of its own, whichever loops they landed on
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr.report[data-route='GET /bad-example']"),
      DemoBurst.BAD_CALLS));
    // the lag chart has drawn (one sample a second reaches it through the stream)
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart canvas")));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#loops .loop")));
    wait.until(driver -> ((Number) browser.executeScript("return window.lagSamples || 0")).intValue() >= 3);

    Files.createDirectories(SCREENSHOT.getParent());
    Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);

    // a row's click shows the stack LoopWatch took while the loop was blocked
    row.click();
    WebElement stack = browser.findElement(By.cssSelector("tr.report[data-route='GET /bad-example'] + tr.stack"));
    wait.until(ExpectedConditions.visibilityOf(stack));
    assertThat(stack.getText()).contains("BlockingUpstreamClient.fetchPostBlocking");
    // and above it the stall's sampled profile, an icicle of bars by share of samples, its culprit marked
    String culpritBar = wait.until(driver -> browser.findElement(
      By.cssSelector("tr.report[data-route='GET /bad-example'] + tr.stack .profile .frame.culprit")).getText());
    assertThat(culpritBar).contains("BlockingUpstreamClient.fetchPostBlocking");
    assertThat(Integer.parseInt(culpritBar.replaceAll(".* (\\d+)%$", "$1"))).as("its share of the samples").isGreaterThanOrEqualTo(80);
    assertThat(browser.findElements(By.cssSelector("tr.report[data-route='GET /bad-example'] + tr.stack .profile .frame")))
      .hasSizeGreaterThan(3);
  }

  @Test
  void the_demo_fills_the_route_table_the_victims_and_a_saturated_pool_warning() {
    service.service().main().loopWatch().reset();
    browser.get("http://127.0.0.1:" + service.adminPort() + "/dashboard");
    // rows are drawn again as each report event arrives: an element read a moment ago may be gone
    WebDriverWait wait = (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class);
    wait.until(ExpectedConditions.textToBe(By.id("status"), "live"));

    browser.findElement(By.id("run-demo")).click();
    wait.until(ExpectedConditions.textMatches(By.id("status"), java.util.regex.Pattern.compile("demo done")));

    // the culprit first, then the victims once counted
    String culprit = wait.until(driver -> driver.findElement(
      By.cssSelector("tr.report[data-route='GET /bad-example'] td.culprit")).getText());
    assertThat(culprit).isEqualTo("BlockingUpstreamClient.fetchPostBlocking \u2192 HttpClient.send");
    wait.until(driver -> driver.findElements(By.cssSelector("tr.report[data-route='GET /bad-example'] td.victims")).stream()
      .allMatch(cell -> cell.getText().contains("waited, up to")));

    // the route table, most loop time first, and sorted again by a click on a column
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#routes tr.route[data-route='POST /process']")));
    assertThat(browser.findElement(By.cssSelector("#routes tr.route")).getAttribute("data-route")).isEqualTo("GET /bad-example");
    browser.findElement(By.cssSelector("#routes-table th[data-key='requests']")).click();
    assertThat(browser.findElement(By.cssSelector("#routes tr.route")).getAttribute("data-route"))
      .as("20 good calls outnumber 16 sorts and 3 bad calls").isEqualTo("GET /good-example");

    // the sorts queued on the cpu pool, more of them than it has threads
    WebElement warning = wait.until(ExpectedConditions.presenceOfElementLocated(
      By.cssSelector("#warnings li[data-kind='pool-saturated']")));
    assertThat(warning.getAttribute("data-route")).isEqualTo("POST /process");
    assertThat(warning.getText()).contains("pool cpu", "queueDepth");
  }
}
