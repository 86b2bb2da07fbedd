package io.loopscope.k8s;

import org.w3c.dom.Document;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the tests read from pom.xml: the image's name and tag, the Jib profile's container settings and properties. */
final class Pom {

  private static final String JIB = "/project/profiles/profile[id='jib']/build/plugins/plugin[artifactId='jib-maven-plugin']/configuration";

  private final Document document;

  private Pom(Document document) {
    this.document = document;
  }

  static Pom read() {
    try {
      return new Pom(DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("loopscope", "pom.xml").toFile()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read loopscope/pom.xml", e);
    }
  }

  String property(String name) {
    return text("/project/properties/" + name);
  }

  /** {@code image.name:image.tag}, what the Jib profile pushes. */
  String image() {
    return property("image.name") + ":" + property("image.tag");
  }

  /** The Jib target with the pom's properties filled in. */
  String jibTarget() {
    return resolve(text(JIB + "/to/image"));
  }

  String jibBase() {
    return text(JIB + "/from/image");
  }

  String jibUser() {
    return text(JIB + "/container/user");
  }

  List<String> jibJvmFlags() {
    return texts(JIB + "/container/jvmFlags/jvmFlag");
  }

  List<String> jibPorts() {
    return texts(JIB + "/container/ports/port");
  }

  /** The platforms Jib builds for, when the pom names any (none: linux/amd64). */
  List<String> jibPlatforms() {
    return texts(JIB + "/from/platforms/platform/architecture");
  }

  String profileProperty(String profile, String name) {
    return text("/project/profiles/profile[id='" + profile + "']/properties/" + name);
  }

  private String resolve(String value) {
    return value.replace("${image.name}", property("image.name")).replace("${image.tag}", property("image.tag"));
  }

  private String text(String xpath) {
    List<String> found = texts(xpath);
    if (found.size() != 1) {
      throw new AssertionError("pom.xml: expected one " + xpath + ", found " + found.size());
    }
    return found.get(0);
  }

  private List<String> texts(String xpath) {
    try {
      NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, document, XPathConstants.NODESET);
      List<String> out = new ArrayList<>();
      for (int i = 0; i < nodes.getLength(); i++) {
        Node node = nodes.item(i);
        out.add(node.getTextContent().trim());
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException("cannot evaluate " + xpath, e);
    }
  }
}
