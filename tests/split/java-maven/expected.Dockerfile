FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /build
COPY pom.xml ./
RUN mvn -B dependency:go-offline
COPY . .
RUN mvn -B package -DskipTests

FROM eclipse-temurin:21-jre
RUN useradd --no-log-init --create-home --uid 10001 app
WORKDIR /build
COPY --from=build /build/target/app.jar /build/target/app.jar
EXPOSE 8080
USER app
ENTRYPOINT ["java", "-jar", "target/app.jar"]
