FROM gradle:8.10-jdk17 AS build
WORKDIR /home/gradle/project
COPY build.gradle settings.gradle ./
RUN gradle dependencies --no-daemon
COPY --chown=gradle:gradle . .
RUN gradle bootJar --no-daemon
RUN find /home/gradle/project/build/libs -maxdepth 1 -name '*.jar' ! -name 'original-*' ! -name '*-sources.jar' ! -name '*-javadoc.jar' ! -name '*-plain.jar' -exec cp {} /home/gradle/project/app.jar \;

FROM eclipse-temurin:17-jre
RUN useradd --no-log-init --create-home --uid 10001 app
WORKDIR /home/gradle/project
COPY --from=build /home/gradle/project/app.jar /home/gradle/project/app.jar
USER app
# the runtime has a JRE, not the build tool; it was:
# CMD gradle bootRun
CMD ["java", "-jar", "/home/gradle/project/app.jar"]
