package io.loopscope.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.vertx.core.VerticleBase;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * One job per package: domain code fails with its own typed failures ({@code io.loopscope.failures}) and
 * never picks an HTTP status; only {@code http} speaks HTTP, and {@code app}, the composition root, deploys its
 * verticles. No package cycles, no exemptions: {@code config} and {@code core} (the loaded config, start-up
 * failures, build info) sit below everything, {@code app} only wires.
 */
@AnalyzeClasses(packages = "io.loopscope", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageRulesTest {

  /** The layers point one way: app wires, http speaks HTTP over the domain packages, config and core are below all. */
  @ArchTest
  static final ArchRule packages_are_free_of_cycles = slices().matching("io.loopscope.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule domain_code_does_not_use_the_http_layer = noClasses()
    .that().resideOutsideOfPackage("io.loopscope.http..")
    .and().resideOutsideOfPackage("io.loopscope.app..")
    .should().dependOnClassesThat().resideInAPackage("io.loopscope.http..")
    .because("domain packages throw io.loopscope.failures types and http alone maps them to problem+json");

  /** One road for config: the root loads it once, and each verticle gets its typed part through its constructor. */
  @ArchTest
  static final ArchRule no_verticle_parses_its_deployment_config_again = noClasses()
    .should().callMethodWhere(DescribedPredicate.describe("a verticle's config()", call -> call.getName().equals("config")
      && call.getTarget().getRawParameterTypes().isEmpty() && call.getTargetOwner().isAssignableTo(VerticleBase.class)))
    .because("config() would be a second road: MainVerticle passes each verticle its typed config");

  @ArchTest
  static final ArchRule failures_know_nothing_of_http_or_vertx = noClasses()
    .that().resideInAPackage("io.loopscope.failures..")
    .should().dependOnClassesThat().resideInAnyPackage("io.loopscope.http..", "io.vertx..", "io.netty..");

  /** LoopWatch is a library any Vert.x application takes: the service uses it, never the other way round. */
  @ArchTest
  static final ArchRule the_loopwatch_library_knows_nothing_of_the_service = noClasses()
    .that().resideInAPackage("io.loopscope.loopwatch..")
    .should().dependOnClassesThat(DescribedPredicate.describe("a class of the loopscope service",
      target -> target.getPackageName().startsWith("io.loopscope.") && !target.getPackageName().startsWith("io.loopscope.loopwatch")))
    .because("io.loopscope:loopwatch is published on its own and depends only on Vert.x, Micrometer and small libraries");
}
