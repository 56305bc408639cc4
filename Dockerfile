# syntax=docker/dockerfile:1
# The one Rectify image: the `rectify` host executable with every service module in it. Build from the repository root:
#   docker build -t rectify .
# Which modules a container runs is configuration, not a different image: Rectify__Services (`all` when unset, the
# standalone default; docker-compose.yml sets one module per service, e.g. Rectify__Services=measures).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The whole repository (see .dockerignore): the host references every service, the protos and the shared props.
COPY . .
# The cache mount keeps NuGet packages between builds (BuildKit, the default builder).
RUN --mount=type=cache,target=/root/.nuget/packages \
    dotnet publish services/Rectify.Host/Rectify.Host.csproj -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# tzdata: Asia/Shanghai dates (already in the base image today; listed so it stays).
# curl: for the compose healthcheck on /healthz.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENV TZ=Asia/Shanghai \
    # Kestrel's endpoints come from Rectify__GrpcUrl / Rectify__HttpUrl; drop the image's default :8080.
    ASPNETCORE_HTTP_PORTS=
# 5400: gRPC (HTTP/2). 5401: HTTP/1.1 (/healthz).
EXPOSE 5400 5401
# The base image's non-root user; the service writes nothing to the image in distributed mode.
USER $APP_UID
ENTRYPOINT ["dotnet", "rectify.dll"]
